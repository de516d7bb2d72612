/**
 * Unary elementwise ops (neg, abs, exp, ..., gelu) and cast. Each output element depends only on the
 * input element at the same index, so all of them fuse freely (fusion kind `elementwise`).
 *
 * FLOP counts per element: arithmetic and each transcendental count as 1; composite ops count their
 * steps (sigmoid = neg, exp, add, div = 4; silu = sigmoid + mul = 5; gelu ≈ 8).
 * The reference computes f16/bf16 tensors in f32 (tfjs has no half types).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../diagnostics.ts';
import { DTYPES, tensorType, type DType, type TensorType } from '../ir/types.ts';
import { perElementCost, requireFloat, requireNumeric } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

interface UnarySpec {
  readonly name: string;
  readonly summary: string;
  readonly flops: number;
  /** Ops like exp only make sense on floats; neg/abs/relu/square also work on integers. */
  readonly floatOnly: boolean;
  readonly ref: (x: tf.Tensor) => tf.Tensor;
}

const UNARY: readonly UnarySpec[] = [
  { name: 'neg', summary: '-x', flops: 1, floatOnly: false, ref: (x) => tf.neg(x) },
  { name: 'abs', summary: '|x|', flops: 1, floatOnly: false, ref: (x) => tf.abs(x) },
  { name: 'exp', summary: 'e^x', flops: 1, floatOnly: true, ref: (x) => tf.exp(x) },
  { name: 'log', summary: 'natural logarithm', flops: 1, floatOnly: true, ref: (x) => tf.log(x) },
  { name: 'sqrt', summary: 'square root', flops: 1, floatOnly: true, ref: (x) => tf.sqrt(x) },
  { name: 'rsqrt', summary: '1/sqrt(x)', flops: 2, floatOnly: true, ref: (x) => tf.rsqrt(x) },
  { name: 'sin', summary: 'sine', flops: 1, floatOnly: true, ref: (x) => tf.sin(x) },
  { name: 'cos', summary: 'cosine', flops: 1, floatOnly: true, ref: (x) => tf.cos(x) },
  { name: 'tanh', summary: 'hyperbolic tangent', flops: 1, floatOnly: true, ref: (x) => tf.tanh(x) },
  { name: 'sigmoid', summary: '1/(1+e^-x)', flops: 4, floatOnly: true, ref: (x) => tf.sigmoid(x) },
  { name: 'silu', summary: 'x·sigmoid(x)', flops: 5, floatOnly: true, ref: (x) => tf.mul(x, tf.sigmoid(x)) },
  { name: 'relu', summary: 'max(x, 0)', flops: 1, floatOnly: false, ref: (x) => tf.relu(x) },
  { name: 'square', summary: 'x·x', flops: 1, floatOnly: false, ref: (x) => tf.square(x) },
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
    reference: ([x]) => tf.tidy(() => spec.ref(x)),
  });
}

/** √(2/π), the GELU tanh-approximation constant (Hendrycks & Gimpel 2016). */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function geluRef(x: tf.Tensor, approximate: string): tf.Tensor {
  const half = tf.mul(x, 0.5);
  if (approximate === 'none') return tf.mul(half, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
  return tf.mul(half, tf.add(1, tf.tanh(inner)));
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
  reference: ([x], a) => tf.tidy(() => geluRef(x, a.approximate as string)),
});

/** tfjs storage dtype for an IR dtype; half types compute in f32, unsigned has no tfjs equivalent. */
export function tfDtype(dtype: DType, op: string): 'float32' | 'int32' | 'bool' {
  switch (dtype) {
    case 'f32': case 'f16': case 'bf16': return 'float32';
    case 'i32': return 'int32';
    case 'bool': return 'bool';
    case 'u32': return fail('REF0002', `${op}: the reference executor has no u32 (tfjs has no unsigned integers)`);
  }
}

/** x != 0 for bool targets: tfjs-wasm's float → bool cast wraps through uint8 (-2 gives 254, 0.5 gives 0). */
function castRef(x: tf.Tensor, dtype: 'float32' | 'int32' | 'bool'): tf.Tensor {
  if (dtype === 'bool' && x.dtype !== 'bool') return tf.notEqual(x, tf.zerosLike(x));
  return tf.cast(x, dtype);
}

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
  reference: ([x], a) => tf.tidy(() => castRef(x, tfDtype(a.dtype as DType, 'cast'))),
});
