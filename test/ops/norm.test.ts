// group_norm, layer_norm, batch_norm: numerics against loops computing mean and population
// variance directly, type rules with per-channel operand checks, costs (8 flops per element).
import { beforeAll, describe, expect, it } from 'vitest';
import { T, costOf, expectClose, inferOp, prod, rand, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** (v − mean)/√(var + eps) over one list of values, population variance. */
function standardize(v: number[], eps: number): number[] {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const varc = v.reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
  return v.map((x) => (x - m) / Math.sqrt(varc + eps));
}

describe('group_norm', () => {
  it('normalises each (sample, group) over its channels and pixels', () => {
    const [n, c, h, w, g] = [2, 6, 3, 2, 3];
    const x = rand(n * c * h * w, 1, -2, 3),
      gamma = rand(c, 2, 0.5, 1.5),
      beta = rand(c, 3);
    const per = (c / g) * h * w;
    const want = new Array<number>(x.length);
    for (let q = 0; q < n * g; q++) {
      const z = standardize(Array.from(x.subarray(q * per, (q + 1) * per)), 1e-3);
      z.forEach((v, i) => {
        const ch = (q % g) * (c / g) + Math.floor(i / (h * w));
        want[q * per + i] = v * gamma[ch] + beta[ch];
      });
    }
    const got = runRef(
      'group_norm',
      [
        { data: x, shape: [n, c, h, w] },
        { data: gamma, shape: [c] },
        { data: beta, shape: [c] },
      ],
      { groups: g, eps: 1e-3 },
    );
    expectClose(got.data, want);
  });

  it('types and rejects', () => {
    expect(inferOp('group_norm', [T('f32', ['B', 8, 'H', 'W']), T('f32', [8]), T('f32', [8])], { groups: 4 })).toEqual(T('f32', ['B', 8, 'H', 'W']));
    expect(typeError('group_norm', [T('f32', [1, 6, 4, 4]), T('f32', [6]), T('f32', [6])], { groups: 4 })).toBe(
      'group_norm: 6 channels cannot be split into 4 groups',
    );
    expect(typeError('group_norm', [T('f32', [1, 6, 4, 4]), T('f32', [8]), T('f32', [6])], { groups: 2 })).toBe(
      'group_norm: gamma [8] must be [6] to match input [1,6,4,4]',
    );
    expect(typeError('group_norm', [T('f32', [1, 6, 4, 4]), T('f32', [6]), T('f32', [6])])).toBe(
      "group_norm: op 'group_norm' needs attribute 'groups'",
    );
  });

  it('costs 8 flops per element', () => {
    expect(costOf('group_norm', [T('f32', [2, 4, 3, 3]), T('f32', [4]), T('f32', [4])], { groups: 2 })).toEqual({
      flops: 8 * 72,
      bytes: (72 + 8 + 72) * 4,
    });
  });
});

describe('layer_norm', () => {
  const shape = [3, 2, 5];
  const x = rand(prod(shape), 7, -3, 2);
  const rows = (f: (row: number[], r: number) => number[]): number[] =>
    Array.from({ length: 6 }, (_, r) => f(Array.from(x.subarray(r * 5, r * 5 + 5)), r)).flat();

  it('normalises the last axis without affine parameters', () => {
    expectClose(
      runRef('layer_norm', [{ data: x, shape }]).data,
      rows((v) => standardize(v, 1e-5)),
    );
  });

  it('applies gamma and beta per feature', () => {
    const gamma = rand(5, 8),
      beta = rand(5, 9);
    const got = runRef('layer_norm', [
      { data: x, shape },
      { data: gamma, shape: [5] },
      { data: beta, shape: [5] },
    ]);
    expectClose(
      got.data,
      rows((v) => standardize(v, 1e-5).map((z, i) => z * gamma[i] + beta[i])),
    );
  });

  it('types symbolic features and rejects mismatched gamma', () => {
    expect(inferOp('layer_norm', [T('f32', ['B', 'L', 'D']), T('f32', ['D'])])).toEqual(T('f32', ['B', 'L', 'D']));
    expect(typeError('layer_norm', [T('f32', ['B', 16]), T('f32', [8])])).toBe('layer_norm: gamma [8] must be [16] to match input [B,16]');
    expect(typeError('layer_norm', [T('i32', [2, 4])])).toBe('layer_norm: input must be a float tensor, got i32');
  });

  it('costs 8 flops per element', () => {
    expect(costOf('layer_norm', [T('f32', [4, 8])])).toEqual({ flops: 256, bytes: 256 });
  });
});

describe('batch_norm', () => {
  it('applies running statistics per channel', () => {
    const [n, c, hw] = [2, 3, 4];
    const x = rand(n * c * hw, 1),
      mean = rand(c, 2),
      variance = rand(c, 3, 0.1, 2),
      gamma = rand(c, 4),
      beta = rand(c, 5);
    const want = Array.from(x, (v, i) => {
      const ch = Math.floor(i / hw) % c;
      return ((v - mean[ch]) / Math.sqrt(variance[ch] + 1e-5)) * gamma[ch] + beta[ch];
    });
    const vec = (d: Float32Array): { data: Float32Array; shape: number[] } => ({ data: d, shape: [c] });
    const got = runRef('batch_norm', [{ data: x, shape: [n, c, 2, 2] }, vec(mean), vec(variance), vec(gamma), vec(beta)]);
    expectClose(got.data, want);
  });

  it('types and rejects', () => {
    const v = T('f32', ['C']);
    expect(inferOp('batch_norm', [T('f32', ['B', 'C', 4, 4]), v, v, v, v])).toEqual(T('f32', ['B', 'C', 4, 4]));
    const c3 = T('f32', [3]);
    expect(typeError('batch_norm', [T('f32', [1, 3, 4, 4]), c3, T('f32', [4]), c3, c3])).toBe(
      'batch_norm: var [4] must be [3] to match input [1,3,4,4]',
    );
    expect(typeError('batch_norm', [T('f32', [3]), c3, c3, c3, c3])).toBe('batch_norm: input must be [N,C,...] (rank >= 2), got [3]');
  });

  it('costs 8 flops per element', () => {
    const c = T('f32', [2]);
    expect(costOf('batch_norm', [T('f32', [1, 2, 2, 2]), c, c, c, c])).toEqual({ flops: 64, bytes: (8 + 8 + 8) * 4 });
  });
});
