// matmul: broadcasting batch dims, transposes, symbolic types, K mismatch, cost 2·M·N·K per batch.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, bcastIndex, costOf, expectClose, inferOp, prod, rand, runRef, typeError, unravel, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** Plain triple loop over the broadcast batch; a and b are stored with their own (transposed) layouts. */
function loopMatmul(a: Float32Array, as: number[], b: Float32Array, bs: number[], ta: boolean, tb: boolean): { data: number[]; shape: number[] } {
  const ra = as.length,
    rb = bs.length;
  const [m, k] = ta ? [as[ra - 1], as[ra - 2]] : [as[ra - 2], as[ra - 1]];
  const n = tb ? bs[rb - 2] : bs[rb - 1];
  const batchA = as.slice(0, -2),
    batchB = bs.slice(0, -2);
  const rank = Math.max(batchA.length, batchB.length);
  const pad = (s: number[]): number[] => [...new Array<number>(rank - s.length).fill(1), ...s];
  const batch = pad(batchA).map((d, i) => Math.max(d, pad(batchB)[i]));
  const data: number[] = [];
  for (let bi = 0; bi < prod(batch); bi++) {
    const idx = unravel(bi, batch);
    const offA = bcastIndex(idx, batchA) * m * k,
      offB = bcastIndex(idx, batchB) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += a[offA + (ta ? p * m + i : i * k + p)] * b[offB + (tb ? j * k + p : p * n + j)];
        }
        data.push(s);
      }
  }
  return { data, shape: [...batch, m, n] };
}

describe('matmul', () => {
  it.each([
    [false, false, [2, 1, 3, 4], [5, 4, 2]],
    [true, false, [2, 1, 4, 3], [5, 4, 2]],
    [false, true, [3, 4], [2, 5, 2, 4]],
    [true, true, [2, 1, 4, 3], [1, 3, 2, 4]],
  ] as const)('transposeA=%s transposeB=%s broadcasts batches', (ta, tb, as, bs) => {
    const a = rand(prod([...as]), 3),
      b = rand(prod([...bs]), 4);
    const want = loopMatmul(a, [...as], b, [...bs], ta, tb);
    const got = runRef(
      'matmul',
      [
        { data: a, shape: [...as] },
        { data: b, shape: [...bs] },
      ],
      { transposeA: ta, transposeB: tb },
    );
    expect(got.shape).toEqual(want.shape);
    expectClose(got.data, want.data);
  });

  it('types symbolic batch and inner dims', () => {
    expect(inferOp('matmul', [T('f32', ['B', 'L', 64]), T('f32', [64, 128])])).toEqual(T('f32', ['B', 'L', 128]));
    expect(inferOp('matmul', [T('f32', ['B', 'K', 'M']), T('f32', ['B', 'K', 3])], { transposeA: true })).toEqual(T('f32', ['B', 'M', 3]));
  });

  it('rejects mismatched contraction dims, vectors and mixed dtypes', () => {
    expect(typeError('matmul', [T('f32', ['B', 3, 4]), T('f32', [5, 2])])).toBe(
      'matmul: contraction dims differ: a [B,3,4] has K=4 but b [5,2] has K=5 (transposeA=false, transposeB=false)',
    );
    expect(typeError('matmul', [T('f32', [4]), T('f32', [4, 2])])).toBe(
      'matmul: operands need rank >= 2, got [4] and [4,2] (reshape vectors to [1, K] or [K, 1])',
    );
    expect(typeError('matmul', [T('f32', [2, 4]), T('f16', [4, 2])])).toBe('matmul: operands have different dtypes f32 and f16; cast one first');
    expect(typeError('matmul', [T('f32', [2, 3, 4]), T('f32', [5, 4, 2])])).toBe('matmul: cannot broadcast [2] with [5] (dim 2 vs 5)');
  });

  it('costs 2·M·N·K per batch element', () => {
    // batch [2,5], M=3, K=4, N=2: 2·10·3·2·4 = 480 flops; bytes (24 + 40 + 60)·4.
    expect(costOf('matmul', [T('f32', [2, 1, 3, 4]), T('f32', [5, 4, 2])])).toEqual({ flops: 480, bytes: (24 + 40 + 60) * 4 });
  });
});
