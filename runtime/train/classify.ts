/**
 * The classifier training loop: `trainClassifier` fits a model's weights to labelled images with the
 * compiled classification step (compiler/training/classify.ts, run by whichever engine the driver
 * chose), epoch by epoch over a seeded shuffle of the training set, and measures test accuracy after
 * every epoch with the driver's forward function (on the EMA weights when there is an EMA).
 * Items left over after the last full batch of an epoch are skipped (a different shuffle each epoch
 * reaches them later). The learning rate follows a cosine decay from `lr` to 0 over the run
 * (Loshchilov & Hutter 2017, SGDR without restarts), fed to the step as its `lr` input.
 *
 *   TRN0602 the loss is not finite      TRN0605 bad option value (epochs, batch)
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { ModelArtifact } from '../../compiler/core/artifact.ts';
import { tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import { initWeights } from '../weights/init.ts';
import { createAdam } from './adam.ts';
import { applyUpdate, type StepRunner } from './compiled-step.ts';
import type { ImageSet } from './fashion-mnist.ts';
import { uniforms } from './random.ts';

/** The seed stream of the per-epoch shuffles (random.ts' STREAMS hold the diffusion trainer's). */
const SHUFFLE_STREAM = 301;

/** Class scores of `count` items of `x` (row-major images) under `weights`: [count, classes] logits. */
export type Classify = (weights: WeightSet, x: Float32Array, count: number) => Promise<Float32Array>;

export interface ClassifierTrainOptions {
  readonly model: ModelArtifact;
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** The compiled step (with an `lr` input; loss, correct as its outputs after the state) at a static batch. */
  readonly runner: StepRunner;
  readonly classify: Classify;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  /** Peak learning rate (of the cosine decay). */
  readonly lr: number;
  readonly emaDecay?: number;
  /** After each step: steps done, steps in total, the step's loss and training accuracy. */
  readonly onStep?: (done: number, total: number, loss: number, accuracy: number) => void;
  readonly onEpoch?: (report: EpochReport) => void;
}

export interface EpochReport {
  readonly epoch: number;
  readonly loss: number;
  readonly trainAccuracy: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

export interface ClassifierResult {
  /** The trained weights (the EMA when enabled). */
  readonly weights: WeightSet;
  readonly epochs: readonly EpochReport[];
  readonly seconds: number;
}

/** A permutation of 0 … n−1 by Fisher–Yates on the uniforms of (seed, SHUFFLE_STREAM, epoch). */
export function shuffle(n: number, seed: number, epoch: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const u = uniforms(seed, SHUFFLE_STREAM, epoch, n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(u[i] * (i + 1)));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** lr·(1 + cos(π·k/total))/2 at update k (0-based) of `total`. */
export const cosineLr = (lr: number, k: number, total: number): number => (lr * (1 + Math.cos((Math.PI * k) / total))) / 2;

/** Fraction of the set whose largest logit is the label. */
export async function accuracy(classify: Classify, weights: WeightSet, set: ImageSet): Promise<number> {
  const logits = await classify(weights, set.images, set.count);
  const classes = logits.length / set.count;
  let hits = 0;
  for (let i = 0; i < set.count; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
    if (best === set.labels[i]) hits++;
  }
  return hits / set.count;
}

function gatherBatch(set: ImageSet, order: Int32Array, start: number, size: number): { x: Float32Array; labels: Int32Array } {
  const item = set.images.length / set.count;
  const x = new Float32Array(size * item);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const k = order[start + i];
    x.set(set.images.subarray(k * item, (k + 1) * item), i * item);
    labels[i] = set.labels[k];
  }
  return { x, labels };
}

export async function trainClassifier(o: ClassifierTrainOptions): Promise<ClassifierResult> {
  for (const [name, v] of [
    ['epochs', o.epochs],
    ['batch', o.batch],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) fail('TRN0605', `${name} must be an integer >= 1, got ${v}`);
  }
  if (!(o.lr > 0 && Number.isFinite(o.lr))) fail('TRN0605', `the learning rate must be a positive number, got ${o.lr}`);
  if (o.batch > o.train.count) fail('TRN0605', `the batch (${o.batch}) is larger than the training set (${o.train.count} items)`);
  const init = initWeights(o.model.parameters, o.seed);
  const paths = o.runner.paths;
  const weights = paths.map((p) => Float32Array.from(init.get(p)!.data));
  const state = createAdam(weights, { lr: 0, emaDecay: o.emaDecay });
  const asSet = (xs: readonly Float32Array[]): WeightSet => new Map(paths.map((p, i) => [p, tensor(init.get(p)!.shape, xs[i])]));
  const perEpoch = Math.floor(o.train.count / o.batch);
  const reports: EpochReport[] = [];
  const t0 = performance.now();
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    const e0 = performance.now();
    const order = shuffle(o.train.count, o.seed, epoch);
    let lossSum = 0,
      correct = 0;
    for (let k = 0; k < perEpoch; k++) {
      const { x, labels } = gatherBatch(o.train, order, k * o.batch, o.batch);
      const lr = Float32Array.of(cosineLr(o.lr, epoch * perEpoch + k, o.epochs * perEpoch));
      const [loss, hits] = await applyUpdate(o.runner, paths, weights, state, { x, labels, lr });
      if (!Number.isFinite(loss[0])) fail('TRN0602', `the loss is ${loss[0]} at epoch ${epoch + 1}, step ${k + 1}`, undefined, 'lower --lr');
      lossSum += loss[0];
      correct += hits[0];
      o.onStep?.(epoch * perEpoch + k + 1, o.epochs * perEpoch, loss[0], hits[0] / o.batch);
    }
    const testAccuracy = await accuracy(o.classify, asSet(state.ema ?? weights), o.test);
    const report = {
      epoch: epoch + 1,
      loss: lossSum / perEpoch,
      trainAccuracy: correct / (perEpoch * o.batch),
      testAccuracy,
      seconds: (performance.now() - e0) / 1000,
    };
    reports.push(report);
    o.onEpoch?.(report);
  }
  return { weights: asSet(state.ema ?? weights), epochs: reports, seconds: (performance.now() - t0) / 1000 };
}
