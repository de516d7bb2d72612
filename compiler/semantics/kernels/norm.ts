/**
 * Reference kernels of group_norm, layer_norm and batch_norm (inference form): population moments,
 * y = (x − mean)·rsqrt(var + eps)·gamma + beta, per-channel vectors reshaped to [1, C, 1, ...].
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Attrs } from '../../core/ir/node.ts';
import { attrInt } from '../../core/ops/common.ts';
import type { KernelTable } from './common.ts';

/** Shape [1, C, 1, ...] so a per-channel vector broadcasts against NC... */
function channelShape(x: tf.Tensor): number[] {
  return x.shape.map((d, i) => (i === 1 ? d : 1));
}

function normalize(x: tf.Tensor, axes: number[], eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
}

const eps = (a: Attrs): number => a.eps as number;

export const NORM_KERNELS: KernelTable = {
  group_norm: ([x, gamma, beta], a) =>
    tf.tidy(() => {
      const grouped = tf.reshape(x, [x.shape[0], attrInt(a, 'groups'), -1]);
      const y = tf.reshape(normalize(grouped, [2], eps(a)), x.shape);
      return tf.add(tf.mul(y, tf.reshape(gamma, channelShape(x))), tf.reshape(beta, channelShape(x)));
    }),
  layer_norm: ([x, gamma, beta], a) =>
    tf.tidy(() => {
      let y = normalize(x, [x.rank - 1], eps(a));
      if (gamma) y = tf.mul(y, gamma);
      return beta ? tf.add(y, beta) : y;
    }),
  batch_norm: ([x, mean, variance, gamma, beta], a) =>
    tf.tidy(() => {
      const cs = channelShape(x);
      const scale = tf.mul(tf.reshape(gamma, cs), tf.rsqrt(tf.add(tf.reshape(variance, cs), eps(a))));
      return tf.add(tf.mul(tf.sub(x, tf.reshape(mean, cs)), scale), tf.reshape(beta, cs));
    }),
};
