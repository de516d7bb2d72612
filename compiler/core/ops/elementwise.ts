/**
 * Unary elementwise ops (neg, abs, exp, ..., gelu) and cast. Each output element depends only on the
 * input element at the same index, so all of them fuse freely (fusion kind `elementwise`).
 *
 * FLOP counts per element: arithmetic and each transcendental count as 1; composite ops count their
 * steps (sigmoid = neg, exp, add, div = 4; silu = sigmoid + mul = 5; gelu ≈ 8).
 */
import { tensorOf, type Node } from '../ir/node.ts';
import { DTYPES, isFloat, tensorType, type DType, type TensorType } from '../ir/types.ts';
import { perElementCost, requireFloat, requireNumeric } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

interface UnarySpec {
  readonly name: string;
  readonly summary: string;
  readonly flops: number;
  /** Ops like exp only make sense on floats; neg/abs/relu/square also work on integers. */
  readonly floatOnly: boolean;
  /** dx from x, the output y and dy (the derivative times dy, in registry ops). */
  readonly dx: (g: VjpBuilder, x: Node, y: Node, dy: Node) => Node;
}

const mul = (g: VjpBuilder, a: Node, b: Node): Node => g.op('mul', [a, b]);
const oneMinus = (g: VjpBuilder, a: Node): Node => g.op('sub', [g.scalar(1), a]);

const UNARY: readonly UnarySpec[] = [
  { name: 'neg', summary: '-x', flops: 1, floatOnly: false, dx: (g, _x, _y, dy) => g.op('neg', [dy]) },
  // the subgradient 1 at x = 0, as tfjs and JAX take it
  {
    name: 'abs',
    summary: '|x|',
    flops: 1,
    floatOnly: false,
    dx: (g, x, _y, dy) => g.op('where', [g.op('less', [x, g.scalar(0)]), g.op('neg', [dy]), dy]),
  },
  { name: 'exp', summary: 'e^x', flops: 1, floatOnly: true, dx: (g, _x, y, dy) => mul(g, dy, y) },
  { name: 'log', summary: 'natural logarithm', flops: 1, floatOnly: true, dx: (g, x, _y, dy) => g.op('div', [dy, x]) },
  { name: 'sqrt', summary: 'square root', flops: 1, floatOnly: true, dx: (g, _x, y, dy) => g.op('div', [dy, mul(g, g.scalar(2), y)]) },
  // d(x^-1/2) = -1/2 · x^-3/2 = -1/2 · y³
  {
    name: 'rsqrt',
    summary: '1/sqrt(x)',
    flops: 2,
    floatOnly: true,
    dx: (g, _x, y, dy) => mul(g, dy, mul(g, g.scalar(-0.5), mul(g, y, g.op('square', [y])))),
  },
  { name: 'sin', summary: 'sine', flops: 1, floatOnly: true, dx: (g, x, _y, dy) => mul(g, dy, g.op('cos', [x])) },
  { name: 'cos', summary: 'cosine', flops: 1, floatOnly: true, dx: (g, x, _y, dy) => g.op('neg', [mul(g, dy, g.op('sin', [x]))]) },
  { name: 'tanh', summary: 'hyperbolic tangent', flops: 1, floatOnly: true, dx: (g, _x, y, dy) => mul(g, dy, oneMinus(g, g.op('square', [y]))) },
  { name: 'sigmoid', summary: '1/(1+e^-x)', flops: 4, floatOnly: true, dx: (g, _x, y, dy) => mul(g, dy, mul(g, y, oneMinus(g, y))) },
  // d(x·s) = s + x·s·(1 − s) = s·(1 + x·(1 − s)), s = sigmoid(x)
  {
    name: 'silu',
    summary: 'x·sigmoid(x)',
    flops: 5,
    floatOnly: true,
    dx: (g, x, _y, dy) => {
      const s = g.op('sigmoid', [x]);
      return mul(g, dy, mul(g, s, g.op('add', [g.scalar(1), mul(g, x, oneMinus(g, s))])));
    },
  },
  {
    name: 'relu',
    summary: 'max(x, 0)',
    flops: 1,
    floatOnly: false,
    dx: (g, x, _y, dy) => g.op('where', [g.op('greater', [x, g.scalar(0)]), dy, g.scalar(0)]),
  },
  { name: 'square', summary: 'x·x', flops: 1, floatOnly: false, dx: (g, x, _y, dy) => mul(g, dy, mul(g, g.scalar(2), x)) },
];

/** GELU's tanh form in registry ops, differentiated through (its derivative is this expression's). */
function geluTanh(g: VjpBuilder, x: Node): Node {
  const inner = mul(g, g.scalar(Math.sqrt(2 / Math.PI)), g.op('add', [x, mul(g, g.scalar(0.044715), mul(g, x, g.op('square', [x])))]));
  return mul(g, mul(g, g.scalar(0.5), x), g.op('add', [g.scalar(1), g.op('tanh', [inner])]));
}

const sameType = (inputs: readonly TensorType[]): TensorType => inputs[0];

for (const spec of UNARY) {
  defineOp({
    name: spec.name,
    summary: spec.summary,
    attrs: {},
    arity: 1,
    fusion: 'elementwise',
    inferType: (inputs) => {
      if (spec.floatOnly) requireFloat(inputs[0], 'x');
      else requireNumeric(inputs[0], 'x');
      return sameType(inputs);
    },
    cost: perElementCost(spec.flops),
    vjp: (g, node, dy) => [spec.dx(g, node.inputs[0], node, dy)],
  });
}

defineOp({
  name: 'gelu',
  summary: 'GELU: 0.5x(1+tanh(√(2/π)(x+0.044715x³))) ("tanh") or 0.5x(1+erf(x/√2)) ("none")',
  attrs: { approximate: { kind: 'string', default: 'tanh', help: '"tanh" or "none" (exact, with erf)' } },
  arity: 1,
  fusion: 'elementwise',
  inferType: (inputs, a) => {
    requireFloat(inputs[0], 'x');
    shapeCheck(
      a.approximate === 'tanh' || a.approximate === 'none',
      () => `approximate must be "tanh" or "none", got ${JSON.stringify(a.approximate)}`,
    );
    return sameType(inputs);
  },
  cost: perElementCost(8),
  vjp: (g, node, dy) => {
    if (node.attrs.approximate !== 'tanh') g.unsupported('gelu with approximate="none" needs erf, which the registry has no op for');
    return g.through((x) => geluTanh(g, x), node.inputs, dy);
  },
});

defineOp({
  name: 'cast',
  summary: 'converts dtype; float → int truncates toward zero, anything → bool is x != 0',
  attrs: { dtype: { kind: 'string', help: DTYPES.join(' | ') } },
  arity: 1,
  fusion: 'elementwise',
  inferType: (inputs, a) => {
    const dtype = a.dtype as DType;
    shapeCheck(DTYPES.includes(dtype), () => `unknown dtype ${JSON.stringify(a.dtype)} (expected one of ${DTYPES.join(', ')})`);
    return tensorType(dtype, inputs[0].shape);
  },
  cost: perElementCost(1),
  // float → float passes the cotangent back in the input's dtype; through an integer there is none
  vjp: (g, node, dy) => {
    const from = tensorOf(node.inputs[0]).dtype;
    return [isFloat(from) && isFloat(tensorOf(node).dtype) ? g.op('cast', [dy], { dtype: from }) : undefined];
  },
});
