/**
 * Binary arithmetic (add sub mul div pow min max), comparisons (less greater equal), where, and
 * broadcast_to. Inputs broadcast numpy-style: equal symbols match, 1 stretches (fusion kind `broadcast`).
 *
 * Integer `div` truncates toward zero, as WGSL and StableHLO `divide` do (tfjs' own int division
 * floors, so the reference corrects for it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatShape, tensorType, type TensorType } from '../ir/types.ts';
import {
  attrDims, bindStatic, broadcastAll, ioBytes, perElementCost, requireDtype, requireNumeric, requireSameDtype,
} from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

/** a / b rounded toward zero for int32: sign(a·b) · floor(|a| / |b|). */
function truncDiv(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const q = tf.floorDiv(tf.abs(a), tf.abs(b));
  return tf.mul(q, tf.mul(tf.sign(a), tf.sign(b)));
}

interface BinarySpec {
  readonly name: string;
  readonly summary: string;
  readonly ref: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
}

const ARITH: readonly BinarySpec[] = [
  { name: 'add', summary: 'a + b', ref: (a, b) => tf.add(a, b) },
  { name: 'sub', summary: 'a - b', ref: (a, b) => tf.sub(a, b) },
  { name: 'mul', summary: 'a · b', ref: (a, b) => tf.mul(a, b) },
  { name: 'div', summary: 'a / b (integers truncate toward zero)', ref: (a, b) => (a.dtype === 'int32' ? truncDiv(a, b) : tf.div(a, b)) },
  { name: 'pow', summary: 'a ^ b', ref: (a, b) => tf.pow(a, b) },
  { name: 'min', summary: 'elementwise minimum', ref: (a, b) => tf.minimum(a, b) },
  { name: 'max', summary: 'elementwise maximum', ref: (a, b) => tf.maximum(a, b) },
];

for (const spec of ARITH) {
  defineOp({
    name: spec.name,
    summary: spec.summary,
    attrs: {},
    arity: 2,
    fusion: 'broadcast',
    inferType: ([a, b]) => {
      requireSameDtype(a, b, 'operands');
      requireNumeric(a, 'operands');
      return tensorType(a.dtype, broadcastAll([a.shape, b.shape]));
    },
    cost: perElementCost(1),
    reference: ([a, b]) => tf.tidy(() => spec.ref(a, b)),
  });
}

const COMPARE: readonly BinarySpec[] = [
  { name: 'less', summary: 'a < b', ref: (a, b) => tf.less(a, b) },
  { name: 'greater', summary: 'a > b', ref: (a, b) => tf.greater(a, b) },
  { name: 'equal', summary: 'a == b', ref: (a, b) => tf.equal(a, b) },
];

for (const spec of COMPARE) {
  defineOp({
    name: spec.name,
    summary: `${spec.summary}, as bool`,
    attrs: {},
    arity: 2,
    fusion: 'broadcast',
    inferType: ([a, b]) => {
      requireSameDtype(a, b, 'operands');
      if (spec.name !== 'equal') requireNumeric(a, 'operands');
      return tensorType('bool', broadcastAll([a.shape, b.shape]));
    },
    cost: perElementCost(1),
    reference: ([a, b]) => tf.tidy(() => spec.ref(a, b)),
  });
}

defineOp({
  name: 'where',
  summary: 'cond ? a : b, broadcasting all three',
  attrs: {},
  arity: 3,
  fusion: 'broadcast',
  inferType: ([cond, a, b]) => {
    requireDtype(cond, 'bool', 'cond');
    requireSameDtype(a, b, 'branches');
    return tensorType(a.dtype, broadcastAll([cond.shape, a.shape, b.shape]));
  },
  cost: perElementCost(1),
  reference: ([cond, a, b]) => tf.tidy(() => tf.where(cond, a, b)),
});

/** x's dims, right-aligned against the target: each must equal the target dim or be 1. */
function checkBroadcastTo(x: TensorType, target: readonly (number | string)[]): void {
  const offset = target.length - x.shape.length;
  shapeCheck(offset >= 0, () => `cannot broadcast ${formatShape(x.shape)} to lower rank ${formatShape(target)}`);
  x.shape.forEach((d, i) => {
    const t = target[i + offset];
    shapeCheck(d === t || d === 1, () => `cannot broadcast ${formatShape(x.shape)} to ${formatShape(target)} (dim ${d} vs ${t})`);
  });
}

defineOp({
  name: 'broadcast_to',
  summary: 'repeats size-1 (and missing leading) dims up to `shape`',
  attrs: { shape: { kind: 'dims' } },
  arity: 1,
  fusion: 'broadcast',
  inferType: ([x], a) => {
    const target = attrDims(a, 'shape');
    checkBroadcastTo(x, target);
    return tensorType(x.dtype, target);
  },
  cost: (inputs, out) => ({ flops: 0, bytes: ioBytes(inputs, out) }),
  reference: ([x], a, ctx) => {
    const target = attrDims(a, 'shape');
    // A symbol unbound in ctx.dims can still be read from x where x is not stretched there.
    const offset = target.length - x.shape.length;
    const fromX = target.map((_, i) => (x.shape[i - offset] === 1 ? undefined : x.shape[i - offset]));
    const shape = bindStatic('broadcast_to', target, ctx, fromX);
    return tf.tidy(() => tf.broadcastTo(x, shape));
  },
});
