// The training step compiled as a graph (compiler/training/step.ts), run on the reference executor,
// against the tfjs trainer's own step (runtime/train: the same Philox draws, tf.valueAndGrads of the
// loss, host Adam + EMA in float64): loss, weights, Adam moments and EMA after two steps, for ε- and
// v-prediction; clipping and Min-SNR weighting change what they should.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Prediction } from '../../compiler/core/artifact.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { trainingStep, type TrainingStepOptions } from '../../compiler/training/step.ts';
import { compileFile } from '../../dsl/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { adamStep, createAdam } from '../../runtime/train/adam.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { lossFunction, noisyBatch } from '../../runtime/train/loss.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import { normals, STREAMS, uniforms } from '../../runtime/train/random.ts';
import { specOf } from '../../runtime/train/training-spec.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { useBackend } from '../ops/helpers.ts';

const model = compileFile('examples/mlp2d.dn').models[0];
const B = 16,
  SEED = 4;
const data = openDataSource('moons');

beforeAll(async () => {
  await useBackend();
  await ensureGradients();
});

function draws(prediction: Prediction, step: number) {
  const spec = specOf({ ...model.training!, prediction });
  const x0 = data.batch(SEED, step, B).x;
  const noise = normals(SEED, STREAMS.noise, step, x0.length);
  const levels = spec.levels(uniforms(SEED, STREAMS.time, step, B));
  return { x0, noise, levels };
}

/** Two steps of the tfjs trainer from seeded init: losses, weights, m, v, ema by path. */
function hostSteps(prediction: Prediction, opts: TrainingStepOptions) {
  const fn = modelFunction(model.graph);
  const init = initWeights(model.parameters, SEED);
  const weights = fn.paths.map((p) => Float32Array.from(init.get(p)!.data));
  const shapes = fn.paths.map((p) => init.get(p)!.shape as number[]);
  const adamOpts = { lr: opts.lr, emaDecay: opts.emaDecay };
  const state = createAdam(weights, adamOpts);
  const losses: number[] = [];
  for (const step of [0, 1]) {
    const { x0, noise, levels } = draws(prediction, step);
    const batch = noisyBatch(x0, noise, levels, prediction);
    const [loss, grads] = tf.tidy(() => {
      const { value, grads: g } = tf.valueAndGrads(lossFunction(fn, batch, data.itemShape))(weights.map((w, i) => tf.tensor(w, shapes[i])));
      return [value.dataSync()[0], g.map((x) => x.dataSync())] as const;
    });
    losses.push(loss);
    adamStep(weights, grads, state, adamOpts);
  }
  const byPath = (xs: readonly Float32Array[]) => new Map(fn.paths.map((p, i) => [p, xs[i]]));
  return { losses, w: byPath(weights), m: byPath(state.m), v: byPath(state.v), ema: byPath(state.ema ?? []) };
}

/** Two steps of the compiled step graph on the reference executor. */
async function graphSteps(prediction: Prediction, opts: TrainingStepOptions) {
  const step = trainingStep(model.graph, { B }, opts);
  const init = initWeights(model.parameters, SEED);
  const n = step.paths.length;
  let w = step.paths.map((p) => Float32Array.from(init.get(p)!.data));
  let m = w.map((x) => new Float32Array(x.length)),
    v = w.map((x) => new Float32Array(x.length)),
    ema = w.map((x) => Float32Array.from(x));
  const losses: number[] = [];
  for (const k of [0, 1]) {
    const { x0, noise, levels } = draws(prediction, k);
    const inputs: Record<string, Float32Array> = {
      x0,
      noise,
      alpha: Float32Array.from(levels.alpha),
      sigma: Float32Array.from(levels.sigma),
      t: levels.t,
      step: Float32Array.of(k + 1),
    };
    step.paths.forEach((p, i) => {
      inputs[`w:${p}`] = w[i];
      inputs[`m:${p}`] = m[i];
      inputs[`v:${p}`] = v[i];
      if (opts.emaDecay) inputs[`ema:${p}`] = ema[i];
    });
    const outs = await runGraph(step.graph, { inputs });
    const data = outs.map((o) => Float32Array.from(o.dataSync()));
    tf.dispose(outs);
    [w, m, v] = [data.slice(0, n), data.slice(n, 2 * n), data.slice(2 * n, 3 * n)];
    if (opts.emaDecay) ema = data.slice(3 * n, 4 * n);
    losses.push(data[data.length - 1][0]);
  }
  const byPath = (xs: readonly Float32Array[]) => new Map(step.paths.map((p, i) => [p, xs[i]]));
  return { losses, w: byPath(w), m: byPath(m), v: byPath(v), ema: byPath(ema) };
}

function expectSameTensors(ours: Map<string, Float32Array>, theirs: Map<string, Float32Array>, rtol: number, what: string): void {
  expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
  for (const [p, a] of ours) {
    const b = theirs.get(p)!;
    const scale = b.reduce((s, x) => Math.max(s, Math.abs(x)), 1e-6);
    const worst = a.reduce((s, x, i) => Math.max(s, Math.abs(x - b[i])), 0);
    expect(worst / scale, `${what} ${p}`).toBeLessThan(rtol);
  }
}

describe('training step as a graph', () => {
  it.each(['eps', 'v'] as const)("takes the tfjs trainer's two Adam + EMA steps on mlp2d (%s-prediction)", async (prediction) => {
    const opts: TrainingStepOptions = { prediction, lr: 1e-3, emaDecay: 0.99 };
    const host = hostSteps(prediction, opts);
    const ours = await graphSteps(prediction, opts);
    ours.losses.forEach((l, i) => expect(Math.abs(l - host.losses[i]) / host.losses[i]).toBeLessThan(1e-5));
    expectSameTensors(ours.m, host.m, 1e-4, 'm');
    expectSameTensors(ours.v, host.v, 1e-4, 'v');
    // the graph's Adam runs in f32, the host's in f64: weights agree to f32 rounding of the updates
    expectSameTensors(ours.w, host.w, 1e-4, 'w');
    expectSameTensors(ours.ema, host.ema, 1e-4, 'ema');
  });

  it('clips the gradient to the global norm: the first moment is (1 − β1)·g·c/‖g‖', async () => {
    const free = await graphSteps('eps', { prediction: 'eps', lr: 1e-3 });
    const clipped = await graphSteps('eps', { prediction: 'eps', lr: 1e-3, clipNorm: 1e-3 });
    const path = [...free.m.keys()][0];
    const ratio = clipped.m.get(path)![0] / free.m.get(path)![0];
    expect(ratio).toBeGreaterThan(0);
    expect(ratio).toBeLessThan(0.5);
  });

  it('weights the loss by Min-SNR-γ: a large γ leaves ε-prediction unchanged, a small one lowers it', async () => {
    const plain = await graphSteps('eps', { prediction: 'eps', lr: 1e-3 });
    const loose = await graphSteps('eps', { prediction: 'eps', lr: 1e-3, weighting: { kind: 'min-snr', gamma: 1e9 } });
    const tight = await graphSteps('eps', { prediction: 'eps', lr: 1e-3, weighting: { kind: 'min-snr', gamma: 1e-3 } });
    expect(Math.abs(loose.losses[0] - plain.losses[0]) / plain.losses[0]).toBeLessThan(1e-6);
    expect(tight.losses[0]).toBeLessThan(plain.losses[0]);
  });
});

describe('denoc train with the compiled step', () => {
  it('trains mlp2d like the tape trainer: the same losses to float tolerance over 5 steps', async () => {
    const { trainDenoiser } = await import('../../runtime/train/trainer.ts');
    const { referenceStepRunner } = await import('../../api/train.ts');
    const { specOfFile } = await import('../train/spec-of-file.ts');
    const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
    const base = { model, spec, data, steps: 5, batch: B, lr: 2e-3, seed: SEED, emaDecay: 0.99, backend: 'cpu' as const };
    const tape = await trainDenoiser(base);
    const compiled = await trainDenoiser({
      ...base,
      compiled: referenceStepRunner(model, { spec, batch: B, lr: 2e-3, emaDecay: 0.99, backend: 'cpu' }),
    });
    compiled.losses.forEach((l, i) => expect(Math.abs(l - tape.losses[i]) / tape.losses[i], `step ${i + 1}`).toBeLessThan(1e-3));
  });
});

describe('the compiled step on onnxruntime', () => {
  it('trains mlp2d like the tape trainer over 5 steps (same draws, losses within float tolerance)', async () => {
    const { trainDenoiser } = await import('../../runtime/train/trainer.ts');
    const { onnxStepRunner } = await import('../../api/train.ts');
    const { specOfFile } = await import('../train/spec-of-file.ts');
    const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
    const base = { model, spec, data, steps: 5, batch: B, lr: 2e-3, seed: SEED, emaDecay: 0.99, backend: 'cpu' as const };
    const tape = await trainDenoiser(base);
    const onnx = await trainDenoiser({ ...base, compiled: onnxStepRunner(model, { spec, batch: B, lr: 2e-3, emaDecay: 0.99 }) });
    onnx.losses.forEach((l, i) => expect(Math.abs(l - tape.losses[i]) / tape.losses[i], `step ${i + 1}`).toBeLessThan(1e-3));
  });
});
