// The distillation target (runtime/distill/target.ts, batch.ts) on cases solvable by hand: with an exact
// Gaussian denoiser the teacher's DDIM steps are linear in z, so the target has a closed form, and one
// student DDIM step with it lands exactly where two teacher steps land; with a single data point the
// teacher is already exact and the target is that point.
import { describe, expect, it } from 'vitest';
import { distillBatch, type TeacherStep } from '../../runtime/distill/batch.ts';
import type { Grid } from '../../runtime/distill/grid.ts';
import { ddimStep, decode, distillationX0, outputTarget, outputWeight } from '../../runtime/distill/target.ts';

// a 2-step teacher grid (student: 1 step) with levels chosen by hand; α² + σ² = 1
const level = (alpha: number) => ({ alpha, sigma: Math.sqrt(1 - alpha * alpha) });
const L = [level(0.3), level(0.8), { alpha: 1, sigma: 0 }];
const grid: Grid = {
  steps: 2,
  t: Float32Array.of(700, 300, 0),
  alpha: Float64Array.from(L, (l) => l.alpha),
  sigma: Float64Array.from(L, (l) => l.sigma),
};

/** Exact ε-prediction for x0 ~ N(0, c²): E[x0 | z] = α c² z / (α² c² + σ²), ε̂ = (z − α x̂0)/σ. */
function gaussianTeacher(c: number): TeacherStep {
  return async (x, from) =>
    x.map((z, e) => {
      const j = from[Math.floor(e / 2)];
      const a = grid.alpha[j],
        s = grid.sigma[j];
      const x0 = (a * c * c * z) / (a * a * c * c + s * s);
      const [dx0, eps] = decode('eps', z, (z - a * x0) / s, a, s);
      return ddimStep(dx0, eps, grid.alpha[j + 1], grid.sigma[j + 1]);
    });
}

describe('progressive distillation target', () => {
  it('makes one student step land where two teacher steps land (exact Gaussian denoiser, closed form)', async () => {
    const c = 0.7,
      z = 1.3;
    // by hand: x̂0 = k·z with k = αc²/(α²c² + σ²); a DDIM step multiplies z by m = α'k + σ'(1 − αk)/σ
    const k = (l: { alpha: number; sigma: number }) => (l.alpha * c * c) / (l.alpha ** 2 * c * c + l.sigma ** 2);
    const m1 = L[1].alpha * k(L[0]) + (L[1].sigma * (1 - L[0].alpha * k(L[0]))) / L[0].sigma;
    const m2 = L[2].alpha * k(L[1]) + (L[2].sigma * (1 - L[1].alpha * k(L[1]))) / L[1].sigma;
    const zpp = m2 * m1 * z;
    // σ'' = 0 here, so the target x0 is z'' itself
    const expected = zpp;
    const x = distillationX0(z, zpp, L[0].alpha, L[0].sigma, L[2].alpha, L[2].sigma);
    expect(x).toBeCloseTo(expected, 12);
    // and the batch path (teacher called twice through TeacherStep) gives the ε that decodes to it
    const b = await distillBatch(gaussianTeacher(c), grid, 'eps', Float32Array.of(0, 0), Int32Array.of(0), Float32Array.of(z / L[0].sigma, 0));
    expect(b.zt[0]).toBeCloseTo(z, 6);
    const [x0, eps] = decode('eps', b.zt[0], b.target[0], L[0].alpha, L[0].sigma);
    expect(ddimStep(x0, eps, L[2].alpha, L[2].sigma)).toBeCloseTo(zpp, 5);
    // the one-step teacher would land elsewhere: the target is not the teacher's own prediction
    expect(Math.abs(k(L[0]) * z - zpp)).toBeGreaterThan(0.1);
  });

  it("carries z_t to z_t'' in one DDIM step at an intermediate level too (σ'' > 0)", () => {
    const a = 0.2,
      s = Math.sqrt(1 - a * a),
      a2 = 0.6,
      s2 = Math.sqrt(1 - a2 * a2);
    const z = -0.4,
      zpp = 0.9;
    const x = distillationX0(z, zpp, a, s, a2, s2);
    for (const p of ['eps', 'x0', 'v'] as const) {
      const [x0, eps] = decode(p, z, outputTarget(p, z, x, a, s), a, s);
      expect(x0, p).toBeCloseTo(x, 12);
      expect(ddimStep(x0, eps, a2, s2), p).toBeCloseTo(zpp, 12);
    }
  });

  it('is the data point itself when the data is one point (the teacher is exact, nothing to learn)', async () => {
    const point = 0.8;
    const exact: TeacherStep = async (x, from) =>
      x.map((z, e) => {
        const j = from[Math.floor(e / 2)];
        const eps = (z - grid.alpha[j] * point) / grid.sigma[j];
        return ddimStep(point, eps, grid.alpha[j + 1], grid.sigma[j + 1]);
      });
    const b = await distillBatch(exact, grid, 'x0', Float32Array.of(point, point), Int32Array.of(0), Float32Array.of(0.5, -1.2));
    expect(b.target[0]).toBeCloseTo(point, 6);
    expect(b.target[1]).toBeCloseTo(point, 6);
  });

  it('weights each output so the loss is max(SNR, 1)·(x̂0 − x̃)²', () => {
    for (const alpha of [0.05, 0.5, 0.95]) {
      const sigma = Math.sqrt(1 - alpha * alpha),
        snr = (alpha / sigma) ** 2,
        z = 0.3,
        h = 1e-4;
      for (const p of ['eps', 'x0', 'v'] as const) {
        // ∂x0/∂out by a finite difference of decode()
        const slope = (decode(p, z, 0.1 + h, alpha, sigma)[0] - decode(p, z, 0.1 - h, alpha, sigma)[0]) / (2 * h);
        expect(outputWeight(p, alpha, sigma), `${p} at alpha ${alpha}`).toBeCloseTo(Math.max(snr, 1) * slope * slope, 4);
      }
    }
    expect(outputWeight('eps', 0.05, Math.sqrt(1 - 0.0025))).toBeGreaterThan(100);
  });
});
