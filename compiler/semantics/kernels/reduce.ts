/**
 * Reference kernels of the reductions (sum, mean, reduce_max, population variance over the op's
 * normalised axes) and of softmax along any axis (tfjs' own softmax only handles the last one).
 */
import * as tf from '@tensorflow/tfjs-core';
import { attrInt, normAxis } from '../../core/ops/common.ts';
import { reduceAxes } from '../../core/ops/reduce.ts';
import type { KernelTable, ReferenceKernel } from './common.ts';

const reduction =
  (ref: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): ReferenceKernel =>
  ([x], a) =>
    tf.tidy(() => ref(x, reduceAxes(a, x.rank), a.keepdims as boolean));

/** exp(x - max) / sum(exp(x - max)); tfjs' own softmax only handles the last axis. */
function softmaxRef(x: tf.Tensor, axis: number): tf.Tensor {
  const e = tf.exp(tf.sub(x, tf.max(x, axis, true)));
  return tf.div(e, tf.sum(e, axis, true));
}

export const REDUCE_KERNELS: KernelTable = {
  sum: reduction((x, ax, k) => tf.sum(x, ax, k)),
  mean: reduction((x, ax, k) => tf.mean(x, ax, k)),
  reduce_max: reduction((x, ax, k) => tf.max(x, ax, k)),
  variance: reduction((x, ax, k) => tf.moments(x, ax, k).variance),
  softmax: ([x], a) => tf.tidy(() => softmaxRef(x, normAxis(attrInt(a, 'axis'), x.rank))),
};
