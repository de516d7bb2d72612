/**
 * SMP: codes of sampler options checked at compile time (dsl/comptime/schedules.ts,
 * docs/samplers.md). The schedule math under them keeps its SCH codes.
 */
export const SAMPLER_OPTION_CODES = {
  SMP0001:
    'an option value that is unknown (schedule: "cosin", with a "did you mean") or out of range (eta: 1.5), or a model attribute of the wrong kind',
  SMP0002:
    'an option that contradicts the model\'s declaration (prediction: "v" with a model that declares "eps", another schedule), or an ε model at zero SNR',
  SMP0003: 'guidance the model cannot take: no single i32[B] label input, no null_class, guidance_rescale outside [0, 1]',
  SMP0004: 'an unsupported combination: a sigma table on a zero-SNR schedule, spacing: "uniform" on a discrete schedule, spacing with a sigma table',
} as const;
