/**
 * Sample quality of image models against Fashion-MNIST (docs/quality.md), `denoc eval`'s driver:
 * features are the penultimate activations of the classifier of examples/fmnist_classifier.dn (its
 * second output), run on onnxruntime by api/classify.ts. Between N images and the 10000 test images it
 * measures the Fréchet distance of the features (compiler/linalg/frechet.ts; the FID recipe of Heusel
 * et al. 2017 with a domain network), precision and recall in feature space (k-NN balls,
 * Kynkäänniemi et al. 2019; against the first N test images, so both sets have N points) and, given
 * the requested classes, the classifier's agreement with them. Each figure comes with two floors
 * measured the same way at the same N: N training images (what a perfect model would score: only
 * finite-sample noise and the train/test gap) and N Gaussian noise images (what a useless one scores).
 *
 *   EVL0001 the images are not N×1×28×28 (or N×28×28, N×784) finite values in [-1, 1]
 *   EVL0002 N is below 2·k + 1, or the labels do not match the images
 *   EVL0003 the classifier does not return (logits, features)
 */
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { tensorOf } from '../compiler/core/ir/node.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';
import { fitGaussian, frechetDistance } from '../compiler/linalg/frechet.ts';
import { DEFAULT_K, kthNeighbourRadii, precisionRecall, type PointSet } from '../compiler/linalg/knn-precision-recall.ts';
import { shuffle } from '../runtime/train/classify.ts';
import type { ImageSet } from '../runtime/train/fashion-mnist.ts';
import { normals } from '../runtime/train/random.ts';
import { classifierForward, type ClassifierForward } from './classify.ts';

const ITEM = 28 * 28;
/** The train floor's pick: the classifier's shuffle (runtime/train/classify.ts) at an offset no training epoch reaches. */
const TRAIN_PICK_OFFSET = 100_000;
/** The noise floor's seed stream (runtime/train/random.ts and classify.ts keep 1xx–3xx). */
const NOISE_STREAM = 402;

export interface Scores {
  readonly fd: number;
  readonly precision: number;
  readonly recall: number;
  /** Fraction whose predicted class is the requested (or, for data, the true) class; absent without labels. */
  readonly agreement?: number;
}

export interface EvalReport {
  readonly n: number;
  readonly k: number;
  readonly generated: Scores;
  /** N training images (with their labels) against the test set. */
  readonly trainFloor: Scores;
  /** N images of N(0, 1) pixels clipped to [-1, 1] (with the requested labels) against the test set. */
  readonly noise: Scores;
}

export interface EvalOptions {
  readonly classifier: ModelArtifact;
  readonly weights: WeightSet;
  /** N×784 values in [-1, 1]. */
  readonly images: Float32Array;
  /** The class each image was asked for (class-conditional models). */
  readonly labels?: Int32Array;
  readonly test: ImageSet;
  readonly train: ImageSet;
  readonly seed: number;
  readonly k?: number;
  /** Stage names as they start (feature extraction, each comparison). */
  readonly onStage?: (stage: string) => void;
}

/** Checks images given as a tensor shape and values; returns N. */
export function checkImages(shape: readonly number[], data: ArrayLike<number>, what: string): number {
  const item = shape.slice(1).reduce((p, d) => p * d, 1);
  if (shape.length < 2 || item !== ITEM || ![[1, 28, 28], [28, 28], [ITEM]].some((s) => s.join() === shape.slice(1).join())) {
    fail('EVL0001', `${what} has shape [${shape.join(', ')}]: expected N×1×28×28, N×28×28 or N×784 images`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= -1.001 && v <= 1.001)) fail('EVL0001', `${what} holds ${v} at index ${i}: images must be finite values in [-1, 1]`);
  }
  return shape[0];
}

interface Features {
  readonly logits: Float32Array;
  readonly features: PointSet;
}

async function extract(forward: ClassifierForward, weights: WeightSet, images: Float32Array, count: number): Promise<Features> {
  const [logits, features] = await forward(weights, images, count);
  return { logits, features: { data: features, count, dim: features.length / count } };
}

function agreement(logits: Float32Array, labels: Int32Array): number {
  const classes = logits.length / labels.length;
  let hits = 0;
  labels.forEach((y, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === y) hits++;
  });
  return hits / labels.length;
}

/** The first `n` features of a set. */
const head = (p: PointSet, n: number): PointSet => ({ data: (p.data as Float32Array).subarray(0, n * p.dim), count: n, dim: p.dim });

/** N training images picked by a seeded shuffle, with their labels. */
function trainPick(train: ImageSet, n: number, seed: number): { images: Float32Array; labels: Int32Array } {
  const order = shuffle(train.count, seed, TRAIN_PICK_OFFSET);
  const images = new Float32Array(n * ITEM);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    images.set(train.images.subarray(order[i] * ITEM, (order[i] + 1) * ITEM), i * ITEM);
    labels[i] = train.labels[order[i]];
  }
  return { images, labels };
}

function checkClassifier(model: ModelArtifact): void {
  const outs = model.graph.outputs.map((o) => tensorOf(o).shape.length);
  if (outs.length !== 2 || outs[0] !== 2 || outs[1] !== 2) {
    fail('EVL0003', `model ${model.name} must return (logits [B, classes], features [B, dim]) to be the feature network of eval`);
  }
}

export async function evaluateImages(o: EvalOptions): Promise<EvalReport> {
  checkClassifier(o.classifier);
  const k = o.k ?? DEFAULT_K;
  const n = o.images.length / ITEM;
  if (!Number.isInteger(n) || n < 2 * k + 1) fail('EVL0002', `eval needs at least ${2 * k + 1} images (k = ${k}), got ${o.images.length / ITEM}`);
  if (n > o.test.count) fail('EVL0002', `eval compares N images with the ${o.test.count} test images: N = ${n} is larger`);
  checkImages([n, ITEM], o.images, 'the images');
  if (o.labels && o.labels.length !== n) fail('EVL0002', `${o.labels.length} labels for ${n} images`);
  const forward = classifierForward(o.classifier);
  o.onStage?.(`features of the ${o.test.count} test images`);
  const test = await extract(forward, o.weights, o.test.images, o.test.count);
  const testGaussian = fitGaussian(test.features.data, o.test.count, test.features.dim);
  const reference = head(test.features, n);
  const radii = kthNeighbourRadii(reference, k);
  const score = async (name: string, images: Float32Array, labels?: Int32Array): Promise<Scores> => {
    o.onStage?.(name);
    const f = await extract(forward, o.weights, images, n);
    const fd = frechetDistance(fitGaussian(f.features.data, n, f.features.dim), testGaussian);
    const pr = precisionRecall(reference, f.features, k, radii);
    return { fd, ...pr, ...(labels ? { agreement: agreement(f.logits, labels) } : {}) };
  };
  const generated = await score(`the ${n} images`, o.images, o.labels);
  const picked = trainPick(o.train, n, o.seed);
  const trainFloor = await score(`floor: ${n} training images`, picked.images, o.labels ? picked.labels : undefined);
  const noiseImages = normals(o.seed, NOISE_STREAM, 0, n * ITEM).map((v) => Math.max(-1, Math.min(1, v)));
  const noise = await score(`floor: ${n} noise images`, noiseImages, o.labels);
  return { n, k, generated, trainFloor, noise };
}
