/**
 * The DDIM grids of progressive distillation: the noise levels an N-step DDIM sampler with
 * "trailing" spacing visits (Lin et al. 2023; compiler/schedules/spacing.ts), exactly as the stdlib's
 * `ddim(M, steps: N, spacing: "trailing")` builds them: timesteps round(T·(N−i)/N) − 1 for i < N,
 * then the clean level (α = 1, σ = 0). Point 2k of the N grid rounds the same rational as point k of
 * the N/2 grid (T·(N−2k)/N = T·(N/2−k)/(N/2), rounded exactly), so the N/2 grid is every other point of
 * the N grid (test/distill/grid.test.ts): one student step k covers teacher steps 2k and 2k+1. The
 * other spacings do not nest: linspace divides by N − 1, leading steps by ⌊T/N⌋ (15 for 64, 31 for 32).
 *
 *   DST0101 the schedule is continuous-time (distillation here needs a discrete timestep table)
 *   DST0102 a step count is not a power of two, or the grids do not nest
 *   DST0103 an ε-prediction model at zero SNR (x0 = (x − σε)/α divides by α = 0)
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { spacingTrailing } from '../../compiler/schedules/index.ts';
import type { TrainingSpec } from '../train/training-spec.ts';

/** N + 1 levels of an N-step sampler, noisiest first; level N is the clean data and is never evaluated. */
export interface Grid {
  readonly steps: number;
  /** The model's time input at each level (the timestep index; 0 at the clean level). */
  readonly t: Float32Array;
  readonly alpha: Float64Array;
  readonly sigma: Float64Array;
}

export const isPowerOfTwo = (n: number): boolean => Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;

/** The trailing DDIM grid of `steps` steps on the spec's timestep table. */
export function ddimGrid(spec: TrainingSpec, steps: number): Grid {
  if (spec.schedule === 'cosine_continuous') {
    fail('DST0101', 'progressive distillation needs a discrete schedule (linear, scaled_linear or cosine); this model uses cosine_continuous');
  }
  if (!isPowerOfTwo(steps)) fail('DST0102', `distillation grids need a power-of-two step count, got ${steps}`);
  const ts = spacingTrailing(spec.T, steps);
  // the spec's table at the timesteps themselves: levels() maps u to timestep floor(u·T), so use midpoints
  const levels = spec.levels(ts.map((k) => (k + 0.5) / spec.T));
  if (spec.prediction === 'eps' && levels.alpha[0] === 0) {
    fail(
      'DST0103',
      'the grid starts at zero SNR (alpha = 0), where an eps-prediction model cannot give x0',
      undefined,
      'distil a v- or x0-prediction model, or one without zero_snr',
    );
  }
  return {
    steps,
    t: Float32Array.from([...levels.t, 0]),
    alpha: Float64Array.from([...levels.alpha, 1]),
    sigma: Float64Array.from([...levels.sigma, 0]),
  };
}

/** True when `coarse` (N/2 steps) is every other level of `fine` (N steps), the clean end included. */
export function nests(fine: Grid, coarse: Grid): boolean {
  if (fine.steps !== 2 * coarse.steps) return false;
  for (let k = 0; k <= coarse.steps; k++) {
    const j = 2 * k;
    if (coarse.t[k] !== fine.t[j] || coarse.alpha[k] !== fine.alpha[j] || coarse.sigma[k] !== fine.sigma[j]) return false;
  }
  return true;
}

/** The teacher's and the student's grids of one round, checked to nest. */
export function roundGrids(spec: TrainingSpec, teacherSteps: number): { teacher: Grid; student: Grid } {
  const teacher = ddimGrid(spec, teacherSteps);
  const student = ddimGrid(spec, teacherSteps / 2);
  if (!nests(teacher, student)) {
    fail(
      'DST0102',
      `the ${student.steps}-step grid is not every other point of the ${teacher.steps}-step grid (T = ${spec.T}); ` +
        'this is a bug: trailing spacing always nests',
    );
  }
  return { teacher, student };
}
