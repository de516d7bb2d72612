/**
 * Noise levels a sampler visits: the input of the VP solver coefficient tables.
 *
 * A sampler with N steps visits N+1 levels (α_i, σ_i), i = 0..N, from the noisiest down; step i goes
 * from level i to level i+1. Levels come from discrete timesteps of a VP schedule (plus the final
 * level after the last timestep), from VE sigmas, or from log-SNR values of a continuous schedule.
 */
import { badTable, requireInt, requireNumber, requireSigmaTable } from './check.ts';
import type { VpSchedule } from './schedules.ts';

export interface NoiseLevels {
  /** signal scale α_i; length N+1 */
  readonly alpha: readonly number[];
  /** noise scale σ_i = √(1 - α_i²) */
  readonly sigma: readonly number[];
  /** log-SNR λ_i = log(α_i/σ_i), strictly increasing; +Infinity at a clean level, -Infinity at SNR 0 */
  readonly lambda: readonly number[];
}

/**
 * Where the last step lands: 'clean' is the data itself (α = 1, σ = 0; DDIM's "set_alpha_to_one",
 * DPM-Solver's final sigma 0), 'first' is the schedule's first timestep ᾱ_0.
 */
export type FinalLevel = 'clean' | 'first';

function freezeLevels(alpha: number[], sigma: number[], lambda: number[]): NoiseLevels {
  for (let i = 1; i < lambda.length; i++) {
    if (!(lambda[i] > lambda[i - 1])) {
      badTable(
        `noise levels must decrease strictly, but level ${i} (log-SNR ${lambda[i]}) is not less noisy than level ${i - 1} (log-SNR ${lambda[i - 1]})`,
      );
    }
  }
  return Object.freeze({ alpha: Object.freeze(alpha), sigma: Object.freeze(sigma), lambda: Object.freeze(lambda) });
}

/** The levels of a discrete timestep table (e.g. from `spacingTrailing`), then the final level. */
export function levelsFromTimesteps(schedule: VpSchedule, timesteps: readonly number[], final: FinalLevel = 'clean'): NoiseLevels {
  if (timesteps.length < 1) badTable('levelsFromTimesteps needs at least one timestep');
  if (final !== 'clean' && final !== 'first') badTable(`final level must be 'clean' or 'first', got '${String(final)}'`);
  for (const t of timesteps) requireInt('timestep', t, 0, schedule.T - 1);
  const alpha = timesteps.map((t) => schedule.alpha[t]);
  const sigma = timesteps.map((t) => schedule.sigma[t]);
  const lambda = timesteps.map((t) => schedule.lambda[t]);
  if (final === 'clean') {
    alpha.push(1);
    sigma.push(0);
    lambda.push(Infinity);
  } else {
    alpha.push(schedule.alpha[0]);
    sigma.push(schedule.sigma[0]);
    lambda.push(schedule.lambda[0]);
  }
  return freezeLevels(alpha, sigma, lambda);
}

/** The VP levels of VE sigmas s = σ/α: α = 1/√(1+s²), σ = s/√(1+s²); s = Infinity is SNR 0. */
export function levelsFromSigmas(sigmas: readonly number[]): NoiseLevels {
  requireSigmaTable('sigmas', sigmas, true);
  const alpha = sigmas.map((s) => (s === Infinity ? 0 : 1 / Math.hypot(1, s)));
  const sigma = sigmas.map((s) => (s === Infinity ? 1 : s / Math.hypot(1, s)));
  return freezeLevels(
    alpha,
    sigma,
    sigmas.map((s) => -Math.log(s)),
  );
}

/** The VP levels of log-SNR values λ: α² = sigmoid(2λ), σ² = sigmoid(-2λ). */
export function levelsFromLogSnr(lambdas: readonly number[]): NoiseLevels {
  if (lambdas.length < 2) badTable(`levels need at least 2 log-SNR values, got ${lambdas.length}`);
  lambdas.forEach((l, i) => requireNumber(`lambda[${i}]`, l));
  const alpha = lambdas.map((l) => Math.sqrt(1 / (1 + Math.exp(-2 * l))));
  const sigma = lambdas.map((l) => Math.sqrt(1 / (1 + Math.exp(2 * l))));
  return freezeLevels(alpha, sigma, [...lambdas]);
}
