/**
 * Reference kernels of the binary ops (add sub mul div pow min max, less greater equal), where and
 * broadcast_to. tfjs broadcasts numpy-style like the IR does. tfjs' own int division floors, so
 * integer `div` corrects it to truncate toward zero, as WGSL and StableHLO `divide` do.
 */
import * as tf from '@tensorflow/tfjs-core';
import { attrDims } from '../../core/ops/common.ts';
import { bindStatic, type KernelTable, type ReferenceKernel } from './common.ts';

/** a / b rounded toward zero for int32: sign(a·b) · floor(|a| / |b|). */
function truncDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const q = tf.floorDiv(tf.abs(a), tf.abs(b));
  return tf.mul(q, tf.mul(tf.sign(a), tf.sign(b)));
}

const binary =
  (ref: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): ReferenceKernel =>
  ([a, b]) =>
    tf.tidy(() => ref(a, b));

export const BINARY_KERNELS: KernelTable = {
  add: binary((a, b) => tf.add(a, b)),
  sub: binary((a, b) => tf.sub(a, b)),
  mul: binary((a, b) => tf.mul(a, b)),
  div: binary((a, b) => (a.dtype === 'int32' ? truncDiv(a, b) : tf.div(a, b))),
  pow: binary((a, b) => tf.pow(a, b)),
  min: binary((a, b) => tf.minimum(a, b)),
  max: binary((a, b) => tf.maximum(a, b)),
  less: binary((a, b) => tf.less(a, b)),
  greater: binary((a, b) => tf.greater(a, b)),
  equal: binary((a, b) => tf.equal(a, b)),
  where: ([cond, a, b]) => tf.tidy(() => tf.where(cond, a, b)),
  broadcast_to: ([x], a, ctx) => {
    const target = attrDims(a, 'shape');
    // A symbol unbound in ctx.dims can still be read from x where x is not stretched there.
    const offset = target.length - x.shape.length;
    const fromX = target.map((_, i) => (x.shape[i - offset] === 1 ? undefined : x.shape[i - offset]));
    const shape = bindStatic('broadcast_to', target, ctx, fromX);
    return tf.tidy(() => tf.broadcastTo(x, shape));
  },
};
