/**
 * Binary arithmetic (add sub mul div pow min max), comparisons (less greater equal), where, and
 * broadcast_to. Inputs broadcast numpy-style: equal symbols match, 1 stretches (fusion kind `broadcast`).
 *
 * Integer `div` truncates toward zero, as WGSL and StableHLO `divide` do.
 */
import { formatShape, tensorType, type TensorType } from '../ir/types.ts';
import {
  attrDims, broadcastAll, ioBytes, perElementCost, requireDtype, requireNumeric, requireSameDtype,
} from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

interface BinarySpec {
  readonly name: string;
  readonly summary: string;
}

const ARITH: readonly BinarySpec[] = [
  { name: 'add', summary: 'a + b' },
  { name: 'sub', summary: 'a - b' },
  { name: 'mul', summary: 'a · b' },
  { name: 'div', summary: 'a / b (integers truncate toward zero)' },
  { name: 'pow', summary: 'a ^ b' },
  { name: 'min', summary: 'elementwise minimum' },
  { name: 'max', summary: 'elementwise maximum' },
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
  });
}

const COMPARE: readonly BinarySpec[] = [
  { name: 'less', summary: 'a < b' },
  { name: 'greater', summary: 'a > b' },
  { name: 'equal', summary: 'a == b' },
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
});
