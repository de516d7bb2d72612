/**
 * Timestep spacing: which training timesteps a sampler with N steps visits, first (noisiest) first.
 *
 * The three discrete rules are the ones compared by Lin et al. 2023 ("Common Diffusion Noise
 * Schedules and Sample Steps are Flawed", Table 2); for T = 1000, N = 10 they give
 *   linspace  999 888 777 666 555 444 333 222 111 0
 *   leading   900 800 ... 0   (+ offset; Stable Diffusion uses offset 1)
 *   trailing  999 899 ... 99
 * Only trailing (and linspace) start at the last timestep, which a zero-terminal-SNR schedule needs.
 * Rounding is done on exact rationals, half to even like numpy.round, so results do not depend on
 * floating-point accumulation.
 */
import { badTable, requireInt, requireReal, requireSteps } from './check.ts';

/** round(num/den) for non-negative integers, ties to even (numpy.round). */
function roundRatio(num: number, den: number): number {
  const q = Math.floor(num / den);
  const twiceRem = 2 * (num - q * den);
  if (twiceRem < den) return q;
  if (twiceRem > den) return q + 1;
  return q % 2 === 0 ? q : q + 1;
}

function checkSteps(T: number, N: number): void {
  requireSteps('T', T, 1);
  requireSteps('steps', N, 1, T);
}

/** round(linspace(0, T-1, N)), reversed: starts at T-1, ends at 0. */
export function spacingLinspace(T: number, N: number): number[] {
  checkSteps(T, N);
  if (N === 1) return [0];
  return Array.from({ length: N }, (_, i) => roundRatio((T - 1) * (N - 1 - i), N - 1));
}

/**
 * k·⌊T/N⌋ + offset for k = N-1 .. 0: the DDIM/Stable Diffusion rule. It never visits T-1, so the
 * first step sees a noise level the model was never trained to start from (Lin et al. 2023).
 */
export function spacingLeading(T: number, N: number, offset = 0): number[] {
  checkSteps(T, N);
  const ratio = Math.floor(T / N);
  requireInt('offset', offset, 0, T - 1 - (N - 1) * ratio);
  return Array.from({ length: N }, (_, i) => (N - 1 - i) * ratio + offset);
}

/** round(T - i·T/N) - 1 for i = 0 .. N-1: starts at T-1 and steps back by T/N. */
export function spacingTrailing(T: number, N: number): number[] {
  checkSteps(T, N);
  return Array.from({ length: N }, (_, i) => roundRatio(T * (N - i), N) - 1);
}

/**
 * Uniform continuous time for continuous-time models: N+1 points from tStart down to tEnd (both
 * included). DPM-Solver's 'time_uniform' (Lu et al. 2022) with tEnd = 1e-3 by default, since
 * log-SNR schedules are infinite at t = 0.
 */
export function spacingUniformTime(N: number, tStart = 1, tEnd = 1e-3): number[] {
  requireSteps('steps', N, 1);
  requireReal('tStart', tStart, 0, 1);
  requireReal('tEnd', tEnd, 0, 1);
  if (!(tEnd < tStart)) badTable(`uniform time needs tEnd < tStart, got tStart = ${tStart}, tEnd = ${tEnd}`);
  return Array.from({ length: N + 1 }, (_, i) => (i === N ? tEnd : tStart + ((tEnd - tStart) * i) / N));
}
