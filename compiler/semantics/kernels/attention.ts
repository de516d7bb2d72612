/**
 * Reference kernel of attention: softmax(q·kᵀ·scale)·v with scale 0 meaning 1/√D, on the batched
 * matmul of the linalg kernels (batch dims broadcast).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelTable } from './common.ts';
import { batchedMatmul } from './linalg.ts';

function attentionRef(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number): tf.Tensor {
  const s = scale === 0 ? 1 / Math.sqrt(q.shape[q.rank - 1]) : scale;
  const scores = tf.mul(batchedMatmul(q, k, false, true), s);
  return batchedMatmul(tf.softmax(scores), v, false, false);
}

export const ATTENTION_KERNELS: KernelTable = {
  attention: ([q, k, v], a) => tf.tidy(() => attentionRef(q, k, v, a.scale as number)),
};
