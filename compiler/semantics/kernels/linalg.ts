/**
 * Reference kernel of matmul, and the batched product that attention shares: batch dims broadcast
 * explicitly, then tfjs' rank-3 matMul runs with the optional transposes of the last two axes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { broadcastAll } from '../../core/ops/common.ts';
import type { KernelTable } from './common.ts';

/** Broadcasts the batch dims explicitly and runs tfjs' rank-3 matMul, so any rank works. */
export function batchedMatmul(a: tf.Tensor, b: tf.Tensor, ta: boolean, tb: boolean): tf.Tensor {
  const batch = broadcastAll([a.shape.slice(0, -2), b.shape.slice(0, -2)]) as number[];
  const count = batch.reduce((p, d) => p * d, 1);
  const as = a.shape.slice(-2),
    bs = b.shape.slice(-2);
  const a3 = tf.reshape<tf.Rank.R3>(tf.broadcastTo(a, [...batch, ...as]), [count, as[0], as[1]]);
  const b3 = tf.reshape<tf.Rank.R3>(tf.broadcastTo(b, [...batch, ...bs]), [count, bs[0], bs[1]]);
  const out = tf.matMul(a3, b3, ta, tb);
  return tf.reshape(out, [...batch, ...out.shape.slice(1)]);
}

export const LINALG_KERNELS: KernelTable = {
  matmul: ([a, b], attrs) => tf.tidy(() => batchedMatmul(a, b, attrs.transposeA as boolean, attrs.transposeB as boolean)),
};
