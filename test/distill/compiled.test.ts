// Compiled distillation (api/distill.ts): the student's regression step (compiler/training/regression.ts)
// and the teacher's forward pass on onnxruntime agree with the tfjs tape engine on the same batch, and
// an 8 -> 4 round on the onnx engine lowers the distillation loss as the tape round does.
import { describe, expect, it } from 'vitest';
import { onnxDistillEngine } from '../../api/distill.ts';
import { lossAndGrads, roundBatch, runRound, tapeEngine } from '../../runtime/distill/round.ts';
import { createAdam } from '../../runtime/train/adam.ts';
import { mlp2dRound, model } from './mlp2d-round.ts';

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

async function setup(batch: number) {
  const { fn, params, start, o } = await mlp2dRound(batch);
  return { params, start, o, tape: tapeEngine(fn, params, [2]), onnx: onnxDistillEngine(model, batch, params) };
}

describe('compiled distillation on onnxruntime', () => {
  it("gives the tape engine's teacher outputs, batch targets, loss and Adam update", async () => {
    const { params, start, o, tape, onnx } = await setup(64);
    const [a, b] = [tape.teacher(start), onnx.teacher(start)];
    const [bt, bo] = [await roundBatch(o, a.forward, 0), await roundBatch(o, b.forward, 0)];
    a.dispose();
    b.dispose();
    expect(maxAbs(bo.zt, bt.zt)).toBe(0);
    expect(maxAbs(bo.target, bt.target)).toBeLessThan(1e-3 * (1 + maxAbs(bt.target, new Float32Array(bt.target.length))));
    const wt = start.map((w) => Float32Array.from(w)),
      wo = start.map((w) => Float32Array.from(w));
    const [at, ao] = [createAdam(wt, { lr: 1e-3 }), createAdam(wo, { lr: 1e-3 })];
    const lt = await tape.update(wt, at, bt, 1e-3);
    const lo = await onnx.update(wo, ao, bt, 1e-3);
    expect(lo).toBeGreaterThan(0);
    expect(Math.abs(lo - lt) / lt).toBeLessThan(1e-4);
    expect(ao.step).toBe(1);
    // the gradients (Adam's first moment after one step is 0.1·g) agree to float32 rounding
    for (let i = 0; i < wt.length; i++) {
      const scale = maxAbs(at.m[i], new Float32Array(at.m[i].length));
      expect(maxAbs(ao.m[i], at.m[i]), params.paths[i]).toBeLessThan(1e-3 * scale + 1e-9);
    }
    // Adam's first step moves each weight by ~lr·sign(g): the same way, except where g rounds to ~0
    let same = 0,
      count = 0;
    for (let i = 0; i < wt.length; i++) {
      for (let k = 0; k < wt[i].length; k++, count++) same += Math.sign(wo[i][k] - start[i][k]) === Math.sign(wt[i][k] - start[i][k]) ? 1 : 0;
    }
    expect(same / count).toBeGreaterThan(0.99);
    // and land at the same loss
    const [after, afterTape] = [wo, wt].map((w) => lossAndGrads(o.fn, params, w, bt, [2])[0]);
    expect(Math.abs(after - afterTape) / afterTape).toBeLessThan(0.01);
  });

  it('lowers the distillation loss of an 8 -> 4 round as the tape round does', async () => {
    const { params, start, o, tape, onnx } = await setup(128);
    const oracle = tape.teacher(start);
    const fixed = await roundBatch({ ...o, batch: 512, streamOffset: 10_000 }, oracle.forward, 0);
    oracle.dispose();
    const before = lossAndGrads(o.fn, params, start, fixed, [2])[0];
    const viaOnnx = await runRound({ ...o, engine: onnx });
    const viaTape = await runRound({ ...o, engine: tape });
    const [afterOnnx, afterTape] = [viaOnnx, viaTape].map((r) => lossAndGrads(o.fn, params, r.weights, fixed, [2])[0]);
    expect(afterOnnx).toBeLessThan(0.7 * before);
    expect(Math.abs(afterOnnx - afterTape) / afterTape).toBeLessThan(0.05);
    // the per-step losses follow the same curve (same batches; float32 rounding differs between engines)
    const rel = viaOnnx.losses.map((l, i) => Math.abs(l - viaTape.losses[i]) / viaTape.losses[i]);
    expect(Math.max(...rel)).toBeLessThan(0.02);
  });
});
