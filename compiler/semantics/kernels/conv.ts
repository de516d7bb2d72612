/**
 * Reference kernels of conv2d and avg_pool2d (NCHW in and out). They run tfjs' NHWC kernels (the
 * layout every tfjs backend supports); groups run as separate convolutions, and dilation is applied
 * by spreading the kernel with zeros, because tfjs rejects stride > 1 together with dilation > 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Attrs } from '../../core/ir/node.ts';
import { attrInt, pairAttr } from '../../core/ops/common.ts';
import { poolWindow } from '../../core/ops/conv.ts';
import type { KernelTable } from './common.ts';

/** HWIO kernel with dilation−1 zeros between taps: [kh,1,kw,1,I,O] padded and folded. */
function dilateKernel(w: tf.Tensor4D, dh: number, dw: number): tf.Tensor4D {
  const [kh, kw, i, o] = w.shape;
  const spread = tf.pad(tf.reshape(w, [kh, 1, kw, 1, i, o]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const folded = tf.reshape(spread, [kh * dh, kw * dw, i, o]);
  return tf.slice(folded, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as tf.Tensor4D;
}

function conv2dRef(inputs: tf.Tensor[], a: Attrs): tf.Tensor {
  const [x, w, bias] = inputs;
  const groups = attrInt(a, 'groups');
  const [stride, pad, dil] = [pairAttr(a, 'stride', 1), pairAttr(a, 'pad', 0), pairAttr(a, 'dilation', 1)];
  const xh = tf.pad(tf.transpose(x, [0, 2, 3, 1]), [
    [0, 0],
    [pad[0], pad[0]],
    [pad[1], pad[1]],
    [0, 0],
  ]) as tf.Tensor4D;
  let wh = tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D;
  if (dil[0] > 1 || dil[1] > 1) wh = dilateKernel(wh, dil[0], dil[1]);
  const cg = wh.shape[2],
    og = wh.shape[3] / groups;
  const parts = Array.from({ length: groups }, (_, g) => {
    const xs = tf.slice(xh, [0, 0, 0, g * cg], [-1, -1, -1, cg]);
    const ws = tf.slice(wh, [0, 0, 0, g * og], [-1, -1, -1, og]);
    return tf.conv2d(xs, ws, stride, 'valid');
  });
  const y = tf.transpose(groups === 1 ? parts[0] : tf.concat(parts, 3), [0, 3, 1, 2]);
  return bias ? tf.add(y, tf.reshape(bias, [1, -1, 1, 1])) : y;
}

export const CONV_KERNELS: KernelTable = {
  conv2d: (inputs, a) => tf.tidy(() => conv2dRef(inputs, a)),
  avg_pool2d: ([x], a) => {
    const { kernel, stride } = poolWindow(a);
    return tf.tidy(() => {
      const pooled = tf.avgPool(tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D, kernel, stride, 'valid');
      return tf.transpose(pooled, [0, 3, 1, 2]);
    });
  },
};
