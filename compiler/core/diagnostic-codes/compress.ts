/**
 * CPR: codes of compression (approximate weight passes and their report). 00xx weight values a
 * pass reads (compiler/linalg/leaves.ts), 01xx low-rank, 02xx prune (0299 internal), 03xx the
 * compression report spec, 04xx the error measurement, 05xx calibration (api/report/).
 */
export const COMPRESS_CODES = {
  CPR0001: 'a weight the pass must read has no value in the context',
  CPR0002: 'a weight value has the wrong number of elements',
  CPR0101: 'low-rank: budget outside (0, 1]',
  CPR0102: 'low-rank: energy outside [0, 1]',
  CPR0103: 'low-rank: activationAware without calibration statistics',
  CPR0104: 'low-rank: rank is not an integer >= 0',
  CPR0201: 'prune: the ratio cannot remove equally many channels from every GroupNorm group',
  CPR0202: 'prune: ratio outside [0, 1)',
  CPR0203: 'prune: mode is not structured or unstructured',
  CPR0204: 'prune: importance is not l1 or taylor',
  CPR0205: 'prune: importance=taylor without gradients',
  CPR0206: 'prune: an included group cannot be pruned (the message says why)',
  CPR0299: 'prune: internal error, a rebuilt node has an unexpected shape',
  CPR0301: 'report: a compression spec gives a value to a pass that takes none',
  CPR0302: 'report: an amount to cut outside [0, 1)',
  CPR0303: 'report: an unknown pass',
  CPR0304: 'report: activation-aware low-rank without the model graph',
  CPR0401: "report: an input's symbolic dims are not bound for the error measurement",
  CPR0502: 'calibration: no value for a weight',
  CPR0503: 'calibration: a missing input, or one without a shape',
} as const;
