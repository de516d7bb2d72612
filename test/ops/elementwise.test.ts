// Unary elementwise ops and cast: type rules, reference numerics against Math.* loops, costs.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { referenceKernel } from '../../compiler/semantics/kernels/index.ts';
import { T, costOf, expectClose, inferOp, rand, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** erf by its Maclaurin series (Abramowitz & Stegun 7.1.5), accurate in double for |x| <= 3. */
function erf(x: number): number {
  let term = x,
    sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const UNARY: [string, (x: number) => number, number, number][] = [
  ['neg', (x) => -x, -3, 3],
  ['abs', Math.abs, -3, 3],
  ['exp', Math.exp, -3, 3],
  ['log', Math.log, 0.01, 5],
  ['sqrt', Math.sqrt, 0, 5],
  ['rsqrt', (x) => 1 / Math.sqrt(x), 0.05, 5],
  ['sin', Math.sin, -4, 4],
  ['cos', Math.cos, -4, 4],
  ['tanh', Math.tanh, -3, 3],
  ['sigmoid', sigmoid, -6, 6],
  ['silu', (x) => x * sigmoid(x), -6, 6],
  ['relu', (x) => Math.max(x, 0), -3, 3],
  ['square', (x) => x * x, -3, 3],
];

describe('unary elementwise ops', () => {
  it.each(UNARY)('%s matches its scalar definition', (op, f, lo, hi) => {
    const x = rand(24, 7, lo, hi);
    const out = runRef(op, [{ data: x, shape: [2, 3, 4] }]);
    expectClose(out.data, Array.from(x, f));
  });

  it.each(UNARY)('%s keeps a symbolic type', (op) => {
    expect(inferOp(op, [T('f32', ['B', 3])])).toEqual(T('f32', ['B', 3]));
  });

  it('rejects integer inputs to float-only ops and bool to numeric ones', () => {
    expect(typeError('exp', [T('i32', [2])])).toBe('exp: x must be a float tensor, got i32');
    expect(typeError('neg', [T('bool', [2])])).toBe('neg: x must be numeric, got bool');
  });

  it('allows integer neg, abs, relu and square', () => {
    expect(inferOp('square', [T('i32', [2])])).toEqual(T('i32', [2]));
    const out = runRef('abs', [{ data: [-3, 4], shape: [2], dtype: 'int32' }]);
    expect(Array.from(out.data)).toEqual([3, 4]);
    expect(out.dtype).toBe('int32');
  });

  it('costs one flop per element for neg and five for silu', () => {
    expect(costOf('neg', [T('f32', [2, 3])])).toEqual({ flops: 6, bytes: 48 });
    expect(costOf('silu', [T('f32', ['B', 3])])).toEqual({ flops: 15, bytes: 24 });
  });
});

describe('gelu', () => {
  const x = rand(30, 3, -3, 3);
  it('approximate "tanh" matches 0.5x(1+tanh(√(2/π)(x+0.044715x³)))', () => {
    const want = Array.from(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
    expectClose(runRef('gelu', [{ data: x, shape: [30] }]).data, want);
  });

  it('approximate "none" matches 0.5x(1+erf(x/√2))', () => {
    const want = Array.from(x, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    expectClose(runRef('gelu', [{ data: x, shape: [30] }], { approximate: 'none' }).data, want);
  });

  it('rejects an unknown approximation', () => {
    expect(typeError('gelu', [T('f32', [2])], { approximate: 'fast' })).toBe('gelu: approximate must be "tanh" or "none", got "fast"');
  });

  it('costs 8 flops per element', () => {
    expect(costOf('gelu', [T('f32', [4, 'S'])])).toEqual({ flops: 32, bytes: 32 });
  });
});

describe('cast', () => {
  it('changes the dtype and keeps the shape, symbols included', () => {
    expect(inferOp('cast', [T('f32', ['B', 2])], { dtype: 'i32' })).toEqual(T('i32', ['B', 2]));
    expect(inferOp('cast', [T('i32', [3])], { dtype: 'bf16' })).toEqual(T('bf16', [3]));
  });

  it('truncates floats toward zero and maps non-zero to true', () => {
    const toInt = runRef('cast', [{ data: [-1.7, 2.5, -0.2, 3.99], shape: [4] }], { dtype: 'i32' });
    expect(Array.from(toInt.data)).toEqual([-1, 2, 0, 3]);
    expect(toInt.dtype).toBe('int32');
    const toBool = runRef('cast', [{ data: [0, -2, 0.5, 0], shape: [4] }], { dtype: 'bool' });
    expect(Array.from(toBool.data)).toEqual([0, 1, 1, 0]);
    const back = runRef('cast', [{ data: [true, false], shape: [2], dtype: 'bool' }], { dtype: 'f16' });
    expect([back.dtype, ...back.data]).toEqual(['float32', 1, 0]);
  });

  it('rejects an unknown dtype', () => {
    expect(typeError('cast', [T('f32', [2])], { dtype: 'f64' })).toBe('cast: unknown dtype "f64" (expected one of f32, f16, bf16, i32, u32, bool)');
  });

  it('reports u32 as unsupported by the reference', () => {
    const x = tf.tensor([1, 2]);
    expect(() => referenceKernel('cast')!([x], { dtype: 'u32' }, { dims: {} })).toThrow(DenocError);
    expect(() => referenceKernel('cast')!([x], { dtype: 'u32' }, { dims: {} })).toThrow(/REF0002.*no u32/);
    x.dispose();
  });
});
