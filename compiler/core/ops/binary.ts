/**
 * Binary arithmetic (add sub mul div pow min max), comparisons (less greater equal), where, and
 * broadcast_to. Inputs broadcast numpy-style: equal symbols match, 1 stretches (fusion kind `broadcast`).
 *
 * Integer `div` truncates toward zero, as WGSL and StableHLO `divide` do.
 */
import { tensorOf, type Node } from '../ir/node.ts';
import { formatShape, tensorType, type TensorType } from '../ir/types.ts';
import { attrDims, broadcastAll, ioBytes, perElementCost, requireDtype, requireNumeric, requireSameDtype } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

interface BinarySpec {
  readonly name: string;
  readonly summary: string;
}

/** da and db at the broadcast shape (before summing back to each operand's shape). */
type BinaryDerivative = (g: VjpBuilder, a: Node, b: Node, y: Node, dy: Node) => [Node, Node];

interface ArithSpec extends BinarySpec {
  readonly d: BinaryDerivative;
}

/** Ties pick `a` (cond false), matching the reference's min/max gradients. */
const select = (g: VjpBuilder, pickB: Node, dy: Node): [Node, Node] => [
  g.op('where', [pickB, g.scalar(0), dy]),
  g.op('where', [pickB, dy, g.scalar(0)]),
];

const ARITH: readonly ArithSpec[] = [
  { name: 'add', summary: 'a + b', d: (_g, _a, _b, _y, dy) => [dy, dy] },
  { name: 'sub', summary: 'a - b', d: (g, _a, _b, _y, dy) => [dy, g.op('neg', [dy])] },
  { name: 'mul', summary: 'a · b', d: (g, a, b, _y, dy) => [g.op('mul', [dy, b]), g.op('mul', [dy, a])] },
  // d(a/b)/db = −a/b² = −y/b
  {
    name: 'div',
    summary: 'a / b (integers truncate toward zero)',
    d: (g, _a, b, y, dy) => [g.op('div', [dy, b]), g.op('neg', [g.op('div', [g.op('mul', [dy, y]), b])])],
  },
  // d(a^b)/da = b·a^(b−1); d(a^b)/db = a^b·ln a (NaN for a ≤ 0 where b is not differentiated anyway)
  {
    name: 'pow',
    summary: 'a ^ b',
    d: (g, a, b, y, dy) => [
      g.op('mul', [dy, g.op('mul', [b, g.op('pow', [a, g.op('sub', [b, g.scalar(1)])])])]),
      g.op('mul', [dy, g.op('mul', [y, g.op('log', [a])])]),
    ],
  },
  { name: 'min', summary: 'elementwise minimum', d: (g, a, b, _y, dy) => select(g, g.op('greater', [a, b]), dy) },
  { name: 'max', summary: 'elementwise maximum', d: (g, a, b, _y, dy) => select(g, g.op('less', [a, b]), dy) },
];

/** Each operand's cotangent summed back from the broadcast shape to its own. */
function binaryVjp(spec: ArithSpec) {
  return (g: VjpBuilder, node: Node, dy: Node): Node[] => {
    const [a, b] = node.inputs;
    const [da, db] = spec.d(g, a, b, node, dy);
    return [g.unbroadcast(da, tensorOf(a).shape), g.unbroadcast(db, tensorOf(b).shape)];
  };
}

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
    vjp: binaryVjp(spec),
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
    noVjp: 'a comparison: its boolean result is piecewise constant, so no cotangent flows back',
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
  vjp: (g, node, dy) => {
    const [cond, a, b] = node.inputs;
    return [
      undefined,
      g.unbroadcast(g.op('where', [cond, dy, g.scalar(0)]), tensorOf(a).shape),
      g.unbroadcast(g.op('where', [cond, g.scalar(0), dy]), tensorOf(b).shape),
    ];
  },
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
  vjp: (g, node, dy) => [g.unbroadcast(dy, tensorOf(node.inputs[0]).shape)],
});
