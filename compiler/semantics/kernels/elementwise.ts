/**
 * Reference kernels of the unary elementwise ops, gelu (tanh approximation or exact erf) and cast.
 * f16/bf16 tensors compute in f32 (tfjs has no half types); u32 has no tfjs equivalent at all.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../core/diagnostics.ts';
import type { DType } from '../../core/ir/types.ts';
import type { KernelTable, ReferenceKernel } from './common.ts';

const unary =
  (ref: (x: tf.Tensor) => tf.Tensor): ReferenceKernel =>
  ([x]) =>
    tf.tidy(() => ref(x));

/** √(2/π), the GELU tanh-approximation constant (Hendrycks & Gimpel 2016). */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

function geluRef(x: tf.Tensor, approximate: string): tf.Tensor {
  const half = tf.mul(x, 0.5);
  if (approximate === 'none') return tf.mul(half, tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
  return tf.mul(half, tf.add(1, tf.tanh(inner)));
}

/** tfjs storage dtype for an IR dtype; half types compute in f32, unsigned has no tfjs equivalent. */
function tfDtype(dtype: DType, op: string): 'float32' | 'int32' | 'bool' {
  switch (dtype) {
    case 'f32':
    case 'f16':
    case 'bf16':
      return 'float32';
    case 'i32':
      return 'int32';
    case 'bool':
      return 'bool';
    case 'u32':
      return fail('REF0002', `${op}: the reference executor has no u32 (tfjs has no unsigned integers)`);
  }
}

/** x != 0 for bool targets: tfjs-wasm's float → bool cast wraps through uint8 (-2 gives 254, 0.5 gives 0). */
function castRef(x: tf.Tensor, dtype: 'float32' | 'int32' | 'bool'): tf.Tensor {
  if (dtype === 'bool' && x.dtype !== 'bool') return tf.notEqual(x, tf.zerosLike(x));
  return tf.cast(x, dtype);
}

export const ELEMENTWISE_KERNELS: KernelTable = {
  neg: unary((x) => tf.neg(x)),
  abs: unary((x) => tf.abs(x)),
  exp: unary((x) => tf.exp(x)),
  log: unary((x) => tf.log(x)),
  sqrt: unary((x) => tf.sqrt(x)),
  rsqrt: unary((x) => tf.rsqrt(x)),
  sin: unary((x) => tf.sin(x)),
  cos: unary((x) => tf.cos(x)),
  tanh: unary((x) => tf.tanh(x)),
  sigmoid: unary((x) => tf.sigmoid(x)),
  silu: unary((x) => tf.mul(x, tf.sigmoid(x))),
  relu: unary((x) => tf.relu(x)),
  square: unary((x) => tf.square(x)),
  gelu: ([x], a) => tf.tidy(() => geluRef(x, a.approximate as string)),
  cast: ([x], a) => tf.tidy(() => castRef(x, tfDtype(a.dtype as DType, 'cast'))),
};
