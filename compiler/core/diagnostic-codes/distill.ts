/**
 * DST: codes of progressive distillation (runtime/distill). 01xx the step grids, 02xx options and
 * the model, 03xx a round, 04xx checkpoints (reading them and a different run are TRN0501/TRN0502).
 */
export const DISTILL_CODES = {
  DST0101: 'the schedule is continuous-time (distillation needs a discrete timestep table)',
  DST0102: 'a step count is not a power of two, or the grids do not nest',
  DST0103: 'an ε-prediction model at zero SNR',
  DST0201: 'bad --from / --to (not powers of two, --to ≥ --from), steps per round, batch or --lr',
  DST0202: 'the model takes inputs besides x and t (class labels, context)',
  DST0301: 'the distillation loss is not finite',
  DST0401: 'the checkpoint folder holds rounds but --resume was not given',
} as const;
