/**
 * Compile-time sampling math: noise schedules, timestep spacing, sigma tables and per-step solver
 * coefficients, all in float64. The DSL exposes these as compile-time builtins; what they return
 * becomes `constant` tables in the IR, gathered by the loop index.
 *
 * Typical use (a 10-step DPM-Solver++(2M) on Stable Diffusion's schedule):
 *   const sched = scaledLinear();
 *   const ts = spacingTrailing(sched.T, 10);
 *   const table = dpmSolverPlusPlus(levelsFromTimesteps(sched, ts), 2);
 *   // step i: x = table.xt[i]·x + table.data[0][i]·D_i + table.data[1][i]·D_{i-1}
 * EDM-style on the same model: sigmas = karrasSigmas(10, sched.veSigma[0], sched.veSigma[999]),
 * model timesteps sigmaToT(sched, sigmas), slopes combined by eulerCoefficients / lmsCoefficients.
 * Bad arguments throw DenocError with codes SCH0001-SCH0003 (see check.ts).
 */
export { SCHEDULE_CODES } from './check.ts';
export {
  type VpSchedule,
  linear,
  scaledLinear,
  cosine,
  rescaleZeroTerminalSnr,
  cosineLogSnr,
  cosineTimeFromLogSnr,
} from './schedules.ts';
export { spacingLinspace, spacingLeading, spacingTrailing, spacingUniformTime } from './spacing.ts';
export { karrasSigmas, exponentialSigmas, logSnrUniformSigmas, sigmaToT, tToSigma } from './sigmas.ts';
export { type NoiseLevels, type FinalLevel, levelsFromTimesteps, levelsFromSigmas, levelsFromLogSnr } from './levels.ts';
export { type StepTable, ddimCoefficients, dpmSolverPlusPlus, sdeDpmSolverPlusPlus } from './coefficients.ts';
export { type EulerTable, type HeunTable, type LmsTable, eulerCoefficients, heunCoefficients, lmsCoefficients } from './ve-coefficients.ts';
