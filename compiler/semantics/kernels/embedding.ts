/**
 * Reference kernel of timestep_embedding: t [B] times the frequency row f_k (rounded once to f32 by
 * the op's own embeddingFrequencies), then [cos | sin] side by side.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attrInt } from '../../core/ops/common.ts';
import { embeddingFrequencies } from '../../core/ops/embedding.ts';
import type { KernelTable } from './common.ts';

export const EMBEDDING_KERNELS: KernelTable = {
  timestep_embedding: ([t], a) =>
    tf.tidy(() => {
      const freqs = embeddingFrequencies(attrInt(a, 'dim'), a.maxPeriod as number);
      const args = tf.mul(tf.reshape(t, [-1, 1]), tf.tensor2d(freqs, [1, freqs.length]));
      return tf.concat([tf.cos(args), tf.sin(args)], 1);
    }),
};
