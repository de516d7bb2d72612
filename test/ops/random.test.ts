// randn as an op: its type rule, and its reference equal to compiler/core/numeric/rng.ts' randn for the bound
// shape, seed, stream and offset; unbound dims fail clearly.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { referenceKernel } from '../../compiler/semantics/kernels/index.ts';
import { T, costOf, inferOp, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

describe('randn op', () => {
  it('types its declared shape, symbols included', () => {
    expect(inferOp('randn', [T('i32', [])], { shape: ['B', 1, 28, 28] })).toEqual(T('f32', ['B', 1, 28, 28]));
    expect(inferOp('randn', [T('i32', []), T('i32', [])], { shape: [4], dtype: 'bf16', stream: 3 })).toEqual(T('bf16', [4]));
  });

  it('rejects bad seeds, offsets and dtypes', () => {
    expect(typeError('randn', [T('f32', [])], { shape: [4] })).toBe('randn: seed must be i32[], got f32[]');
    expect(typeError('randn', [T('i32', []), T('i32', [2])], { shape: [4] })).toBe('randn: offset must be i32[], got i32[2]');
    expect(typeError('randn', [T('i32', [])], { shape: [4], dtype: 'i32' })).toBe('randn: dtype must be f32, f16 or bf16, got "i32"');
    expect(typeError('randn', [T('i32', [])], { shape: [0, 4] })).toBe('randn: shape [0,4] needs positive dims');
    expect(typeError('randn', [T('i32', [])], { shape: [2], stream: -1 })).toBe('randn: stream must be in [0, 2^32), got -1');
  });

  it('draws exactly compiler/core/numeric/rng.ts randn(seed, stream, offset, numel)', () => {
    const got = runRef(
      'randn',
      [
        { data: [42], shape: [], dtype: 'int32' },
        { data: [7], shape: [], dtype: 'int32' },
      ],
      { shape: ['B', 3, 2], stream: 5 },
      { B: 2 },
    );
    expect(got.shape).toEqual([2, 3, 2]);
    expect(Array.from(got.data)).toEqual(Array.from(randn(42, 5, 7, 12)));
    const noOffset = runRef('randn', [{ data: [42], shape: [], dtype: 'int32' }], { shape: [5], stream: 5 });
    expect(Array.from(noOffset.data)).toEqual(Array.from(randn(42, 5, 0, 5)));
  });

  it('fails clearly when a dim is unbound', () => {
    const seed = tf.scalar(1, 'int32');
    const run = (): tf.Tensor => referenceKernel('randn')!([seed], { shape: ['B', 2], dtype: 'f32', stream: 0 }, { dims: {} });
    expect(run).toThrow(DenocError);
    expect(run).toThrow("REF0001: randn: symbolic dim 'B' of [B,2] is not bound (pass dims to the executor)");
    seed.dispose();
  });

  it('costs 8 flops per element', () => {
    expect(costOf('randn', [T('i32', [])], { shape: [2, 3] })).toEqual({ flops: 48, bytes: (1 + 6) * 4 });
  });
});
