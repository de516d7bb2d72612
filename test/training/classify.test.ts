// The classifier training step (compiler/training/classify.ts) on a narrowed CNN of the
// fmnist_classifier shape: the loss graph's cross-entropy and correct count against a host computation
// from the model's logits, its IR gradient against tfjs' tape on the same logits, one Adam step on the
// reference executor against host Adam, the ONNX step against the reference, and the loop learning.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { grad } from '../../compiler/autodiff/grad.ts';
import { classifierLoss, classifierStep } from '../../compiler/training/classify.ts';
import { trainingStep } from '../../compiler/training/step.ts';
import { compileSource } from '../../dsl/index.ts';
import { classifierForward, classifierStepRunner } from '../../api/classify.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { adamStep, createAdam } from '../../runtime/train/adam.ts';
import { cosineLr, shuffle, trainClassifier } from '../../runtime/train/classify.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { useBackend } from '../ops/helpers.ts';

const SOURCE = `
import "std/nn"
model Tiny(c1: int = 2, c2: int = 3, features: int = 8, classes: int = 4) {
  conv1 = Conv2d(1, c1, k: 3, pad: 1)
  conv2 = Conv2d(c1, c2, k: 3, pad: 1)
  fc = Linear(c2 * 2 * 2, features)
  head = Linear(features, classes)
  fn (x: f32[B, 1, 8, 8]) -> (f32[B, classes], f32[B, features]) {
    h = avg_pool(relu(conv1(x)), k: 2)
    h = avg_pool(relu(conv2(h)), k: 2)
    f = relu(fc(reshape(h, [B, c2 * 2 * 2])))
    return head(f), f
  }
}
`;
const model = compileSource(SOURCE, 'tiny.dn').models[0];
const B = 6,
  C = 4,
  SEED = 3;
const init = initWeights(model.parameters, SEED);
// inputs in [-1, 1] and labels with every class, fixed by formula
const x = Float32Array.from({ length: B * 64 }, (_, i) => Math.sin(0.37 * i + 0.11 * (i % 7)));
const labels = Int32Array.from({ length: B }, (_, i) => (i * 3) % C);

beforeAll(async () => {
  await useBackend();
  await ensureGradients();
});

/** Mean cross-entropy and the per-weight gradients by tfjs' tape through the model's logits. */
function tapeLoss(paths: readonly string[]) {
  const fn = modelFunction(model.graph);
  const ws = fn.paths.map((p) => tf.tensor(init.get(p)!.data, init.get(p)!.shape as number[]));
  const xt = tf.tensor(x, [B, 1, 8, 8]);
  const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), C);
  const f = (...w: tf.Tensor[]) => {
    const z = fn.apply({ x: xt }, w) as tf.Tensor2D;
    return tf.mean(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(z, oneHot), 1))) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)(ws);
  const byPath = new Map(fn.paths.map((p, i) => [p, grads[i].dataSync() as Float32Array]));
  return { loss: value.dataSync()[0], grads: paths.map((p) => byPath.get(p)!) };
}

const weightInputs = (paths: readonly string[]) => Object.fromEntries(paths.map((p) => [`w:${p}`, init.get(p)!.data]));

describe('classifier loss', () => {
  it('is the mean softmax cross-entropy of the logits, and counts the argmax hits', async () => {
    const { graph, paths } = classifierLoss(model.graph, { B });
    const [loss, correct] = await runGraph(graph, { inputs: { ...weightInputs(paths), x, labels } });
    const [logits] = await runGraph(model.graph, { inputs: { x: { data: x, shape: [B, 1, 8, 8] } }, weights: init });
    const z = logits.dataSync();
    let ce = 0,
      hits = 0;
    for (let i = 0; i < B; i++) {
      const row = Array.from(z.subarray(i * C, (i + 1) * C));
      const top = Math.max(...row);
      ce += top + Math.log(row.reduce((s, v) => s + Math.exp(v - top), 0)) - row[labels[i]];
      if (row[labels[i]] === top) hits++;
    }
    expect(loss.dataSync()[0]).toBeCloseTo(ce / B, 5);
    expect(correct.dataSync()[0]).toBe(hits);
    expect(loss.dataSync()[0]).toBeGreaterThan(0);
  });

  it('has the IR gradient that tfjs tape computes', async () => {
    const { graph, paths } = classifierLoss(model.graph, { B });
    const g = grad(graph, { wrt: paths.map((p) => `w:${p}`) });
    const outs = await runGraph(g.graph, { inputs: { ...weightInputs(paths), x, labels } });
    const tape = tapeLoss(paths);
    expect(outs[0].dataSync()[0]).toBeCloseTo(tape.loss, 5);
    let nonzero = 0;
    paths.forEach((_, i) => {
      const ours = outs[2 + i].dataSync();
      const scale = Math.max(1e-3, ...Array.from(tape.grads[i], Math.abs));
      ours.forEach((v, k) => {
        expect(Math.abs(v - tape.grads[i][k]) / scale).toBeLessThan(1e-4);
        if (Math.abs(v) > 1e-6) nonzero++;
      });
    });
    expect(nonzero).toBeGreaterThan(20);
  });
});

describe('classifier step', () => {
  it('applies Adam and the EMA to the gradient as the host does', async () => {
    const lr = 0.01;
    const step = classifierStep(model.graph, { B }, { lr, emaDecay: 0.9 });
    const n = step.paths.length;
    const zeros = Object.fromEntries(step.paths.flatMap((p) => [`m:${p}`, `v:${p}`].map((k) => [k, new Float32Array(init.get(p)!.data.length)])));
    const ema = Object.fromEntries(step.paths.map((p) => [`ema:${p}`, init.get(p)!.data]));
    const outs = await runGraph(step.graph, { inputs: { ...weightInputs(step.paths), ...zeros, ...ema, x, labels, step: Float32Array.of(1) } });
    const host = step.paths.map((p) => Float32Array.from(init.get(p)!.data));
    const state = createAdam(host, { lr, emaDecay: 0.9 });
    adamStep(host, tapeLoss(step.paths).grads, state, { lr, emaDecay: 0.9 });
    step.paths.forEach((_, i) => {
      const w = outs[i].dataSync();
      host[i].forEach((v, k) => expect(w[k]).toBeCloseTo(v, 4));
      state.ema![i].forEach((v, k) => expect(outs[3 * n + i].dataSync()[k]).toBeCloseTo(v, 4));
    });
    expect(outs.length).toBe(4 * n + 2);
  });

  it('runs the same on onnxruntime as on the reference executor, with lr fed as an input', async () => {
    const opts = { lr: 0, lrInput: true };
    const ref = classifierStepRunner('reference', model, B, opts);
    const onnx = classifierStepRunner('onnx', model, B, opts);
    const zeros = Object.fromEntries(ref.paths.flatMap((p) => [`m:${p}`, `v:${p}`].map((k) => [k, new Float32Array(init.get(p)!.data.length)])));
    const inputs = { ...weightInputs(ref.paths), ...zeros, x, labels, step: Float32Array.of(1), lr: Float32Array.of(0.05) };
    const [a, b] = [await ref.run(inputs), await onnx.run(inputs)];
    expect(a.length).toBe(b.length);
    a.forEach((t, i) => t.forEach((v, k) => expect(b[i][k]).toBeCloseTo(v, 4)));
    // the fed lr moved the weights: Adam's first step moves each by about lr·sign(g)
    const moved = Math.max(...Array.from(a[0], (v, k) => Math.abs(v - init.get(ref.paths[0])!.data[k])));
    expect(moved).toBeGreaterThan(0.04);
    expect(moved).toBeLessThan(0.06);
  });

  it('is not the diffusion step: that one still refuses a model without t (TRN0105)', () => {
    expect(() => trainingStep(model.graph, { B }, { prediction: 'eps', lr: 1e-3 })).toThrow(/TRN0105|must take \(x, t/);
  });

  it('refuses a model whose first output is not [B, classes] logits (TRN0106)', () => {
    const bad = compileSource(
      'import "std/nn"\nmodel M() {\n  fc = Linear(2, 2)\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {\n    return fc(x)\n  }\n}\n',
      'bad.dn',
    ).models[0];
    expect(() => classifierStep(bad.graph, { B: 2 }, { lr: 1e-3 })).toThrow(/TRN0106/);
  });
});

describe('classifier loop', () => {
  it('shuffles into a permutation that depends on the epoch', () => {
    const a = shuffle(100, 1, 0),
      b = shuffle(100, 1, 1);
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...a]).not.toEqual([...b]);
    expect(cosineLr(2, 0, 10)).toBe(2);
    expect(cosineLr(2, 5, 10)).toBeCloseTo(1, 12);
  });

  it('fits a small labelled set: the training loss falls and test accuracy rises above chance', async () => {
    const n = 48;
    // four classes of 8×8 images: a bright quadrant each, with noise
    const images = new Float32Array(n * 64);
    const lab = Int32Array.from({ length: n }, (_, i) => i % C);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < 64; p++) {
        const q = (p >= 32 ? 2 : 0) + (p % 8 >= 4 ? 1 : 0);
        images[i * 64 + p] = (q === lab[i] ? 0.8 : -0.8) + 0.3 * Math.sin(13.7 * i + 3.1 * p);
      }
    const set = { images, labels: lab, count: n };
    const runner = classifierStepRunner('onnx', model, 8, { lr: 0, lrInput: true });
    const forward = classifierForward(model, 16);
    const r = await trainClassifier({
      model,
      train: set,
      test: set,
      runner,
      classify: async (w, xs, count) => (await forward(w, xs, count))[0],
      epochs: 6,
      batch: 8,
      seed: 0,
      lr: 0.03,
    });
    expect(r.epochs.length).toBe(6);
    expect(r.epochs[5].loss).toBeLessThan(r.epochs[0].loss);
    expect(r.epochs[5].testAccuracy).toBeGreaterThan(0.5);
  });
});
