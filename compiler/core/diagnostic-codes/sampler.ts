/**
 * SMP: codes of sampler options checked at compile time (dsl/comptime/schedules.ts,
 * docs/samplers.md). The schedule math under them keeps its SCH codes.
 */
export const SAMPLER_OPTION_CODES = {
  SMP0001: 'an option value that is unknown or out of range, or a model attribute of the wrong kind',
  SMP0002: "an option that contradicts the model's declaration, or an ε model at zero SNR",
  SMP0003: 'guidance the model cannot take',
  SMP0004: 'an unsupported option combination',
} as const;
