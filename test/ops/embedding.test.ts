// timestep_embedding against the formula written out per element; type rule and cost.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, costOf, expectClose, inferOp, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

describe('timestep_embedding', () => {
  it('gives [cos(t·f_k)..., sin(t·f_k)...] with f_k = maxPeriod^(−k/(dim/2))', () => {
    const t = [0, 1, 17.5, 999];
    const dim = 6,
      period = 1000;
    const want = t.flatMap((tv) => {
      const f = [0, 1, 2].map((k) => Math.pow(period, -k / 3));
      return [...f.map((fk) => Math.cos(tv * fk)), ...f.map((fk) => Math.sin(tv * fk))];
    });
    const got = runRef('timestep_embedding', [{ data: t, shape: [4] }], { dim, maxPeriod: period });
    expect(got.shape).toEqual([4, 6]);
    // Arguments up to 999 rad lose ~6e-5 to f32 rounding of t·f_k; compare absolutely at that scale.
    expectClose(got.data, want, 2e-4);
    expectClose(got.data.subarray(0, 12), want.slice(0, 12));
  });

  it('types and rejects', () => {
    expect(inferOp('timestep_embedding', [T('f32', ['B'])], { dim: 128 })).toEqual(T('f32', ['B', 128]));
    expect(typeError('timestep_embedding', [T('f32', ['B'])], { dim: 7 })).toBe('timestep_embedding: dim must be even and >= 2, got 7');
    expect(typeError('timestep_embedding', [T('f32', ['B', 1])], { dim: 8 })).toBe('timestep_embedding: t must be [B] (rank 1), got [B,1]');
    expect(typeError('timestep_embedding', [T('i32', ['B'])], { dim: 8 })).toBe('timestep_embedding: t must be a float tensor, got i32');
  });

  it('costs one multiply per frequency and one sin/cos per output', () => {
    expect(costOf('timestep_embedding', [T('f32', [4])], { dim: 8 })).toEqual({ flops: 4 * 4 + 4 * 8, bytes: (4 + 32) * 4 });
  });
});
