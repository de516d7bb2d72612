// Shared helpers of the op tests: typed graph building, error capture, running reference kernels on
// plain arrays, a seeded data generator, and plain-JS index arithmetic for the independent loops.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { expect } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Attrs } from '../../compiler/core/ir/node.ts';
import { tensorType, type DType, type Shape, type TensorType, type Type } from '../../compiler/core/ir/types.ts';
import '../../compiler/core/ops/index.ts';
import { getOp, normalizeAttrs, opCost, type OpCost } from '../../compiler/core/ops/registry.ts';
import { referenceKernel } from '../../compiler/semantics/kernels/index.ts';

/** tfjs cpu by default; OPS_TEST_BACKEND=wasm runs the same suite on the wasm backend. */
export async function useBackend(): Promise<void> {
  const name = process.env.OPS_TEST_BACKEND ?? 'cpu';
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  expect(await tf.setBackend(name)).toBe(true);
}

/** `dtype[shape]` in a compact form for test tables. */
export const T = (dtype: DType, shape: Shape): TensorType => tensorType(dtype, shape);

/** Type of `op(inputs) {attrs}` built through the GraphBuilder (defaults, arity and type rule). */
export function inferOp(op: string, inputs: readonly TensorType[], attrs: Attrs = {}): Type {
  const b = new GraphBuilder('t');
  const params = inputs.map((t, i) => b.param(`in${i}`, t));
  return b.op(op, params, attrs).type;
}

/** The IR0001 message the builder reports for a bad input, or a failure if it builds. */
export function typeError(op: string, inputs: readonly TensorType[], attrs: Attrs = {}): string {
  try {
    inferOp(op, inputs, attrs);
  } catch (e) {
    expect(e).toBeInstanceOf(DenocError);
    expect((e as DenocError).diagnostics[0].code).toBe('IR0001');
    return (e as DenocError).diagnostics[0].message;
  }
  throw new Error(`${op} accepted inputs that should be rejected`);
}

export function costOf(op: string, inputs: readonly TensorType[], attrs: Attrs = {}): OpCost {
  const out = inferOp(op, inputs, attrs);
  if (out.kind !== 'tensor') throw new Error('tuple result');
  return opCost(getOp(op), inputs, out, normalizeAttrs(getOp(op), attrs));
}

export interface Arr {
  data: ArrayLike<number> | ArrayLike<boolean>;
  shape: number[];
  dtype?: 'float32' | 'int32' | 'bool';
}

export interface RefResult {
  data: Float32Array;
  shape: number[];
  dtype: string;
}

const IR_DTYPE = { float32: 'f32', int32: 'i32', bool: 'bool' } as const;

/**
 * Runs an op's reference kernel. Without `dims` it also checks that the output shape is the one
 * the type rule predicts for these static inputs, so type rules and kernels cannot drift apart.
 */
export function runRef(op: string, inputs: readonly Arr[], attrs: Attrs = {}, dims: Record<string, number> = {}): RefResult {
  const def = getOp(op);
  const norm = normalizeAttrs(def, attrs);
  const tensors = inputs.map((a) => tf.tensor(a.data as number[], a.shape, a.dtype ?? 'float32'));
  const out = referenceKernel(op)!(tensors, norm, { dims });
  if (Object.keys(dims).length === 0) {
    const predicted = inferOp(
      op,
      inputs.map((a) => T(IR_DTYPE[a.dtype ?? 'float32'], a.shape)),
      attrs,
    );
    expect(predicted.kind === 'tensor' && [...predicted.shape]).toEqual(out.shape);
  }
  const result = { data: Float32Array.from(out.dataSync() as ArrayLike<number>), shape: out.shape, dtype: out.dtype };
  tf.dispose([...tensors, out]);
  return result;
}

/** Deterministic uniform data in [lo, hi) (a 32-bit LCG; tests stay reproducible). */
export function rand(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(lo + ((s >>> 8) / 16777216) * (hi - lo));
  });
}

export const prod = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/** Row-major strides of a shape. */
export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** Multi-index of a flat row-major index. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return idx;
}

export const ravel = (idx: readonly number[], shape: readonly number[]): number => idx.reduce((acc, v, i) => acc * shape[i] + v, 0);

/** Flat index into `shape` of a broadcast multi-index of the (higher-rank) output. */
export function bcastIndex(outIdx: readonly number[], shape: readonly number[]): number {
  const off = outIdx.length - shape.length;
  return ravel(
    shape.map((d, i) => (d === 1 ? 0 : outIdx[i + off])),
    shape,
  );
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0,
    at = -1;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (Number.isNaN(err) || err > worst) {
      worst = Number.isNaN(err) ? Infinity : err;
      at = i;
    }
  }
  expect(worst, `worst relative error at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}
