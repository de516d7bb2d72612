/**
 * Unary elementwise ops (neg, abs, exp, ..., gelu) and cast. Each output element depends only on the
 * input element at the same index, so all of them fuse freely (fusion kind `elementwise`).
 *
 * FLOP counts per element: arithmetic and each transcendental count as 1; composite ops count their
 * steps (sigmoid = neg, exp, add, div = 4; silu = sigmoid + mul = 5; gelu ≈ 8).
 */
import { DTYPES, tensorType, type DType, type TensorType } from '../ir/types.ts';
import { perElementCost, requireFloat, requireNumeric } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

interface UnarySpec {
  readonly name: string;
  readonly summary: string;
  readonly flops: number;
  /** Ops like exp only make sense on floats; neg/abs/relu/square also work on integers. */
  readonly floatOnly: boolean;
}

const UNARY: readonly UnarySpec[] = [
  { name: 'neg', summary: '-x', flops: 1, floatOnly: false },
  { name: 'abs', summary: '|x|', flops: 1, floatOnly: false },
  { name: 'exp', summary: 'e^x', flops: 1, floatOnly: true },
  { name: 'log', summary: 'natural logarithm', flops: 1, floatOnly: true },
  { name: 'sqrt', summary: 'square root', flops: 1, floatOnly: true },
  { name: 'rsqrt', summary: '1/sqrt(x)', flops: 2, floatOnly: true },
  { name: 'sin', summary: 'sine', flops: 1, floatOnly: true },
  { name: 'cos', summary: 'cosine', flops: 1, floatOnly: true },
  { name: 'tanh', summary: 'hyperbolic tangent', flops: 1, floatOnly: true },
  { name: 'sigmoid', summary: '1/(1+e^-x)', flops: 4, floatOnly: true },
  { name: 'silu', summary: 'x·sigmoid(x)', flops: 5, floatOnly: true },
  { name: 'relu', summary: 'max(x, 0)', flops: 1, floatOnly: false },
  { name: 'square', summary: 'x·x', flops: 1, floatOnly: false },
];

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
    shapeCheck(a.approximate === 'tanh' || a.approximate === 'none',
      () => `approximate must be "tanh" or "none", got ${JSON.stringify(a.approximate)}`);
    return sameType(inputs);
  },
  cost: perElementCost(8),
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
});
