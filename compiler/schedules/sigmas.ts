/**
 * Sigma schedules in VE form (s = σ/α, the EDM noise level), and the bridge between VE sigmas and
 * the discrete timesteps of a VP schedule, so EDM-style samplers (Euler, Heun, LMS) can drive a
 * model trained on integer t.
 *
 * Every sigma table runs from the noisiest level down and ends with a final 0 (the clean sample),
 * so n sampling steps give n+1 entries.
 */
import { badTable, requireNumber, requireReal, requireSteps } from './check.ts';
import type { VpSchedule } from './schedules.ts';

function checkRange(n: number, sigmaMin: number, sigmaMax: number): void {
  requireSteps('steps', n, 1);
  requireReal('sigmaMin', sigmaMin, 0, Infinity, { min: true });
  requireReal('sigmaMax', sigmaMax, 0, Infinity, { min: true });
  if (n > 1 && !(sigmaMin < sigmaMax)) {
    badTable(`sigmaMin must be below sigmaMax, got sigmaMin = ${sigmaMin}, sigmaMax = ${sigmaMax}`);
  }
}

/** n points of `at(u)` for u = i/(n-1) from 0 to 1, with the ends pinned, then the final 0. */
function tabulate(n: number, first: number, last: number, at: (u: number) => number): number[] {
  const out = Array.from({ length: n }, (_, i) => (i === 0 ? first : i === n - 1 ? last : at(i / (n - 1))));
  out.push(0);
  return out;
}

/**
 * Karras et al. 2022 (EDM, eq. 5): s_i = (sMax^{1/ρ} + i/(n-1)·(sMin^{1/ρ} - sMax^{1/ρ}))^ρ,
 * i = 0..n-1, then 0. ρ = 7 spends more steps at low noise; ρ = 1 is uniform in sigma.
 */
export function karrasSigmas(n: number, sigmaMin: number, sigmaMax: number, rho = 7): number[] {
  checkRange(n, sigmaMin, sigmaMax);
  requireReal('rho', rho, 0, Infinity, { min: true });
  const hi = sigmaMax ** (1 / rho);
  const lo = sigmaMin ** (1 / rho);
  return tabulate(n, sigmaMax, sigmaMin, (u) => (hi + u * (lo - hi)) ** rho);
}

/** Log-uniform sigmas: exp(linspace(log sMax, log sMin, n)), then 0 (k-diffusion's "exponential"). */
export function exponentialSigmas(n: number, sigmaMin: number, sigmaMax: number): number[] {
  checkRange(n, sigmaMin, sigmaMax);
  const hi = Math.log(sigmaMax);
  const lo = Math.log(sigmaMin);
  return tabulate(n, sigmaMax, sigmaMin, (u) => Math.exp(hi + u * (lo - hi)));
}

/**
 * Uniform steps in log-SNR λ = log(α/σ) = -log s, from lambdaMin (noisy) to lambdaMax, then 0: the
 * spacing DPM-Solver recommends (Lu et al. 2022, 'logSNR' skip type). As VE sigmas this is the
 * log-uniform table between e^{-lambdaMax} and e^{-lambdaMin}.
 */
export function logSnrUniformSigmas(n: number, lambdaMin: number, lambdaMax: number): number[] {
  // |λ| <= 700 keeps e^{-λ} finite and non-zero in float64.
  requireReal('lambdaMin', lambdaMin, -700, 700);
  requireReal('lambdaMax', lambdaMax, -700, 700);
  if (!(lambdaMin < lambdaMax)) badTable(`lambdaMin must be below lambdaMax, got ${lambdaMin} and ${lambdaMax}`);
  checkRange(n, Math.exp(-lambdaMax), Math.exp(-lambdaMin));
  return tabulate(n, Math.exp(-lambdaMin), Math.exp(-lambdaMax), (u) => Math.exp(-(lambdaMin + u * (lambdaMax - lambdaMin))));
}

/**
 * The fractional timestep of a VE sigma on a VP schedule: piecewise linear in log sigma between the
 * schedule's integer timesteps (the interpolation k-diffusion's DiscreteSchedule.sigma_to_t performs).
 * Sigmas beyond the schedule's range clamp to 0 or T-1; so the final sigma 0 maps to t = 0.
 */
export function sigmaToT(schedule: VpSchedule, sigma: number): number;
export function sigmaToT(schedule: VpSchedule, sigmas: readonly number[]): number[];
export function sigmaToT(schedule: VpSchedule, sigma: number | readonly number[]): number | number[] {
  if (typeof sigma !== 'number') return sigma.map((s) => sigmaToT(schedule, s));
  requireNumber('sigma', sigma);
  if (sigma < 0) requireReal('sigma', sigma, 0);
  const ve = schedule.veSigma;
  const T = ve.length;
  if (sigma <= ve[0]) return 0;
  if (sigma >= ve[T - 1]) return T - 1;
  // Largest lo with ve[lo] <= sigma; ve is increasing in t.
  let lo = 0;
  let hi = T - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ve[mid] <= sigma) lo = mid;
    else hi = mid;
  }
  const a = Math.log(ve[lo]);
  const b = Math.log(ve[hi]);
  // Toward an infinite (zero-SNR) sigma the interpolation degenerates: stay on the finite node.
  return b === Infinity ? lo : lo + (Math.log(sigma) - a) / (b - a);
}

/** The VE sigma at a fractional timestep t in [0, T-1]: the inverse of `sigmaToT`. */
export function tToSigma(schedule: VpSchedule, t: number): number;
export function tToSigma(schedule: VpSchedule, ts: readonly number[]): number[];
export function tToSigma(schedule: VpSchedule, t: number | readonly number[]): number | number[] {
  if (typeof t !== 'number') return t.map((x) => tToSigma(schedule, x));
  const s = schedule.veSigma;
  requireReal('t', t, 0, s.length - 1);
  const lo = Math.floor(t);
  const w = t - lo;
  if (w === 0) return s[lo];
  return Math.exp((1 - w) * Math.log(s[lo]) + w * Math.log(s[lo + 1]));
}
