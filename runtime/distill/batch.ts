/**
 * One distillation batch: data x0, a student step k per item (uniform over the student's N/2 steps),
 * z_t = α·x0 + σ·ε at the student's level k (= the teacher's level 2k), then two teacher DDIM steps
 * (levels 2k → 2k+1 → 2k+2) run through the teacher model, and the target and weight of target.ts.
 * Only the teacher's forward passes run on an engine (tfjs or onnxruntime); the DDIM arithmetic and the
 * target are host float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelFunction } from '../train/model-fn.ts';
import type { Prediction } from '../train/training-spec.ts';
import type { Grid } from './grid.ts';
import { ddimStep, decode, distillationX0, outputTarget, outputWeight } from './target.ts';

export interface DistillBatch {
  /** z_t, the student's input, items × itemSize. */
  readonly zt: Float32Array;
  /** The student's time input per item. */
  readonly t: Float32Array;
  /** The output the student should give at z_t. */
  readonly target: Float32Array;
  /** Per-item loss weight (truncated SNR, in the output's space). */
  readonly weight: Float32Array;
}

/** Maps points at per-item teacher levels through the teacher: one model call, one DDIM step each. */
export type TeacherStep = (x: Float64Array, from: Int32Array) => Promise<Float64Array>;

/** The teacher model's raw output for items x (items × itemSize) at per-item times t, on some engine. */
export type TeacherForward = (x: Float32Array, t: Float32Array) => Promise<Float32Array>;

/** A TeacherForward of a tfjs model function with fixed weights (the tape engine's, and the oracle). */
export function tfjsTeacherForward(fn: ModelFunction, weights: readonly tf.Tensor[], itemShape: readonly number[]): TeacherForward {
  return async (x, t) =>
    tf.tidy(() => {
      const xt = tf.tensor(x, [t.length, ...itemShape]);
      return fn.apply({ [fn.inputs[0]]: xt, [fn.inputs[1]]: tf.tensor(t, [t.length]) }, weights).dataSync() as Float32Array;
    });
}

/** A TeacherStep on `grid` (item i goes from level from[i] to from[i] + 1) of a teacher forward. */
export function teacherStep(forward: TeacherForward, grid: Grid, prediction: Prediction): TeacherStep {
  return async (x, from) => {
    const n = from.length;
    const size = x.length / n;
    const out = await forward(
      Float32Array.from(x),
      Float32Array.from(from, (j) => grid.t[j]),
    );
    const next = new Float64Array(x.length);
    for (let i = 0; i < n; i++) {
      const j = from[i];
      for (let e = i * size; e < (i + 1) * size; e++) {
        const [x0, eps] = decode(prediction, x[e], out[e], grid.alpha[j], grid.sigma[j]);
        next[e] = ddimStep(x0, eps, grid.alpha[j + 1], grid.sigma[j + 1]);
      }
    }
    return next;
  };
}

/** The batch for data x0, student steps k[i] and noise ε, with the teacher stepping on `fine` (2× the student's steps). */
export async function distillBatch(
  step: TeacherStep,
  fine: Grid,
  prediction: Prediction,
  x0: Float32Array,
  k: Int32Array,
  eps: Float32Array,
): Promise<DistillBatch> {
  const n = k.length;
  const size = x0.length / n;
  const level = Int32Array.from(k, (s) => 2 * s);
  const z = new Float64Array(x0.length);
  for (let i = 0; i < n; i++) {
    for (let e = i * size; e < (i + 1) * size; e++) z[e] = fine.alpha[level[i]] * x0[e] + fine.sigma[level[i]] * eps[e];
  }
  const zpp = await step(
    await step(z, level),
    level.map((j) => j + 1),
  );
  const target = new Float32Array(x0.length);
  const weight = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const j = level[i];
    const a = fine.alpha[j],
      s = fine.sigma[j];
    weight[i] = outputWeight(prediction, a, s);
    for (let e = i * size; e < (i + 1) * size; e++) {
      const x = distillationX0(z[e], zpp[e], a, s, fine.alpha[j + 2], fine.sigma[j + 2]);
      target[e] = outputTarget(prediction, z[e], x, a, s);
    }
  }
  return { zt: Float32Array.from(z), t: Float32Array.from(level, (j) => fine.t[j]), target, weight };
}
