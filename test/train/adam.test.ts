// Adam (runtime/train/adam.ts): bias correction on the first step, convergence to the known minimum of a
// quadratic, and the warmed-up EMA of the weights.
import { describe, expect, it } from 'vitest';
import { adamStep, createAdam } from '../../runtime/train/adam.ts';

describe('adam', () => {
  it('moves every weight by lr against the sign of its gradient on the first step (bias correction)', () => {
    const w = [Float32Array.of(1, -2, 3)];
    const state = createAdam(w, { lr: 0.1 });
    adamStep(w, [Float32Array.of(4, -0.001, 250)], state, { lr: 0.1 });
    // m̂/√v̂ = g/|g| at t = 1; without the correction the step would be ~0.1·(0.1/√0.001) ≈ 0.32
    expect(Array.from(w[0])).toEqual([1 - 0.1, -2 + 0.1, 3 - 0.1].map((v) => expect.closeTo(v, 5)));
  });

  it('converges to the minimum of a badly scaled quadratic', () => {
    const a = [100, 1, 0.01, 5],
      c = [3, -1, 0.5, 2];
    const w = [new Float32Array(4)];
    const opts = { lr: 0.02 };
    const state = createAdam(w, opts);
    for (let i = 0; i < 3000; i++) adamStep(w, [Float32Array.from(w[0], (x, k) => 2 * a[k] * (x - c[k]))], state, opts);
    w[0].forEach((x, k) => expect(x).toBeCloseTo(c[k], 2));
    expect(state.step).toBe(3000);
  });

  it('averages the weights with the warmed-up decay min(d, (1 + t)/(10 + t))', () => {
    const w = [Float32Array.of(0)];
    const opts = { lr: 0.5, emaDecay: 0.999 };
    const state = createAdam(w, opts);
    adamStep(w, [Float32Array.of(-1)], state, opts);
    expect(w[0][0]).toBeCloseTo(0.5, 6);
    const d = 2 / 11;
    expect(state.ema![0][0]).toBeCloseTo(d * 0 + (1 - d) * 0.5, 6);
  });
});
