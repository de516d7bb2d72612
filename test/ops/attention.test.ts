// attention: softmax(q·kᵀ·scale)·v against a loop, with broadcast head/batch dims, default and
// explicit scale; type rules and the documented cost.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, costOf, expectClose, inferOp, prod, rand, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** One attention problem per batch element; k and v are shared across the first batch dim when it is 1. */
function loopAttention(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  b0: number,
  b1: number,
  kShared: boolean,
  lq: number,
  lk: number,
  d: number,
  dv: number,
  scale: number,
): number[] {
  const out: number[] = [];
  for (let a = 0; a < b0; a++)
    for (let h = 0; h < b1; h++) {
      const qo = (a * b1 + h) * lq * d,
        ko = ((kShared ? 0 : a) * b1 + h) * lk;
      for (let i = 0; i < lq; i++) {
        const s = Array.from({ length: lk }, (_, j) => {
          let dot = 0;
          for (let p = 0; p < d; p++) dot += q[qo + i * d + p] * k[(ko + j) * d + p];
          return dot * scale;
        });
        const m = Math.max(...s),
          e = s.map((x) => Math.exp(x - m)),
          z = e.reduce((x, y) => x + y, 0);
        for (let c = 0; c < dv; c++) out.push(e.reduce((acc, w, j) => acc + (w / z) * v[(ko + j) * dv + c], 0));
      }
    }
  return out;
}

describe('attention', () => {
  const [b0, b1, lq, lk, d, dv] = [2, 3, 4, 5, 8, 6];
  const q = rand(b0 * b1 * lq * d, 1, -2, 2);
  const k = rand(b1 * lk * d, 2, -2, 2),
    v = rand(b1 * lk * dv, 3);

  it('uses 1/√D when scale is 0 and broadcasts k, v over the batch', () => {
    const got = runRef('attention', [
      { data: q, shape: [b0, b1, lq, d] },
      { data: k, shape: [1, b1, lk, d] },
      { data: v, shape: [1, b1, lk, dv] },
    ]);
    expect(got.shape).toEqual([b0, b1, lq, dv]);
    expectClose(got.data, loopAttention(q, k, v, b0, b1, true, lq, lk, d, dv, 1 / Math.sqrt(d)));
  });

  it('honours an explicit scale', () => {
    const q1 = q.subarray(0, b1 * lq * d);
    const got = runRef(
      'attention',
      [
        { data: q1, shape: [b1, lq, d] },
        { data: k, shape: [b1, lk, d] },
        { data: v, shape: [b1, lk, dv] },
      ],
      { scale: 0.7 },
    );
    expectClose(got.data, loopAttention(q1, k, v, 1, b1, false, lq, lk, d, dv, 0.7));
  });

  it('types symbolic sequence lengths and rejects mismatches', () => {
    expect(inferOp('attention', [T('f32', ['B', 4, 'L', 32]), T('f32', ['B', 4, 'S', 32]), T('f32', ['B', 4, 'S', 16])])).toEqual(
      T('f32', ['B', 4, 'L', 16]),
    );
    expect(typeError('attention', [T('f32', [2, 4, 32]), T('f32', [2, 4, 16]), T('f32', [2, 4, 16])])).toBe(
      'attention: q [2,4,32] has D=32 but k [2,4,16] has D=16',
    );
    expect(typeError('attention', [T('f32', [2, 4, 8]), T('f32', [2, 5, 8]), T('f32', [2, 6, 8])])).toBe(
      'attention: k [2,5,8] has Lk=5 but v [2,6,8] has Lk=6',
    );
    expect(typeError('attention', [T('f32', [8]), T('f32', [2, 8]), T('f32', [2, 8])])).toBe('attention: q [..., Lq, D] needs rank >= 2, got [8]');
  });

  it('costs 2·Lq·Lk·(D + Dv) + 5·Lq·Lk per batch element', () => {
    const c = costOf('attention', [T('f32', [3, lq, d]), T('f32', [3, lk, d]), T('f32', [3, lk, dv])]);
    expect(c.flops).toBe(3 * (2 * lq * lk * (d + dv) + 5 * lq * lk));
    expect(c.bytes).toBe(4 * (prod([3, lq, d]) + prod([3, lk, d]) + prod([3, lk, dv]) + prod([3, lq, dv])));
  });
});
