/**
 * The student's loss: mean over items and values of w_i·(student(z_t, t) − target)², the truncated-SNR
 * weighted error of target.ts, as a function of the student's weights for tf.valueAndGrads.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelFunction } from '../train/model-fn.ts';
import type { DistillBatch } from './batch.ts';

export function distillLoss(student: ModelFunction, batch: DistillBatch, itemShape: readonly number[]) {
  const n = batch.t.length;
  return (...weights: tf.Tensor[]): tf.Scalar => {
    const x = tf.tensor(batch.zt, [n, ...itemShape]);
    const t = tf.tensor(batch.t, [n]);
    const out = student.apply({ [student.inputs[0]]: x, [student.inputs[1]]: t }, weights);
    const err = tf.square(tf.sub(out, tf.tensor(batch.target, out.shape)));
    const w = tf.tensor(batch.weight, [n, ...itemShape.map(() => 1)]);
    return tf.mean(tf.mul(err, w)) as tf.Scalar;
  };
}
