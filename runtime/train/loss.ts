/**
 * The diffusion training loss (Ho et al. 2020, "simple" loss; Salimans & Ho 2022 for v): draw a
 * noise level per item (uniform over the sampler's timesteps), make x_t = α·x0 + σ·ε, and take the
 * mean squared error of the model's prediction against what it is meant to predict:
 *   eps → ε,   x0 → x0,   v → α·ε − σ·x0.
 * The noisy batch is built on the host (in float64, stored as float32); only the model and the
 * MSE run in tfjs, so tf.grads differentiates exactly the model.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelFunction } from './model-fn.ts';
import { normals, STREAMS, uniforms } from './random.ts';
import type { Levels, Prediction, TrainingSpec } from './training-spec.ts';

export interface NoisyBatch {
  /** x_t, the model's input, items × itemSize. */
  readonly xt: Float32Array;
  /** The model's time input per item. */
  readonly t: Float32Array;
  /** What the model should output for x_t. */
  readonly target: Float32Array;
}

/** x_t = α_i·x0 + σ_i·ε and the target for `prediction`, item i being `itemSize` consecutive values. */
export function noisyBatch(x0: Float32Array, eps: Float32Array, levels: Levels, prediction: Prediction): NoisyBatch {
  const n = levels.t.length;
  const itemSize = x0.length / n;
  const xt = new Float32Array(x0.length);
  const target = new Float32Array(x0.length);
  for (let i = 0; i < n; i++) {
    const a = levels.alpha[i],
      s = levels.sigma[i];
    for (let j = i * itemSize; j < (i + 1) * itemSize; j++) {
      xt[j] = a * x0[j] + s * eps[j];
      target[j] = prediction === 'eps' ? eps[j] : prediction === 'x0' ? x0[j] : a * eps[j] - s * x0[j];
    }
  }
  return { xt, t: levels.t, target };
}

/** The noisy batch of training step `step`: levels and noise from their own streams of the run's seed. */
export function drawNoisyBatch(spec: TrainingSpec, x0: Float32Array, items: number, seed: number, step: number): NoisyBatch {
  const levels = spec.levels(uniforms(seed, STREAMS.time, step, items));
  return noisyBatch(x0, normals(seed, STREAMS.noise, step, x0.length), levels, spec.prediction);
}

/** Inputs of the model besides x and t (class labels), by param name. */
export type ExtraInputs = Readonly<Record<string, tf.Tensor>>;

/** mean((model(x_t, t, …) − target)²) as a function of the weights, for tf.valueAndGrads. */
export function lossFunction(model: ModelFunction, batch: NoisyBatch, itemShape: readonly number[], extra: ExtraInputs = {}) {
  const n = batch.t.length;
  return (...weights: tf.Tensor[]): tf.Scalar => {
    const x = tf.tensor(batch.xt, [n, ...itemShape]);
    const t = tf.tensor(batch.t, [n]);
    const out = model.apply({ [model.inputs[0]]: x, [model.inputs[1]]: t, ...extra }, weights);
    return tf.mean(tf.square(tf.sub(out, tf.tensor(batch.target, out.shape)))) as tf.Scalar;
  };
}
