// Data-movement ops: reshape, transpose, concat, slice, pad, gather, upsample_nearest. Type rules
// (symbolic cases and bad inputs), reference numerics against plain index loops, costs.
import { beforeAll, describe, expect, it } from 'vitest';
import { SLICE_END } from '../../compiler/core/ops/shape.ts';
import { T, costOf, expectClose, inferOp, prod, rand, ravel, runRef, typeError, unravel, useBackend } from './helpers.ts';

beforeAll(useBackend);

describe('reshape', () => {
  it('checks element counts with symbols', () => {
    expect(inferOp('reshape', [T('f32', ['B', 4, 4])], { shape: ['B', 16] })).toEqual(T('f32', ['B', 16]));
    expect(inferOp('reshape', [T('f32', ['B', 'H', 2])], { shape: [2, 'H', 'B'] })).toEqual(T('f32', [2, 'H', 'B']));
    expect(typeError('reshape', [T('f32', ['B', 4, 4])], { shape: ['B', 8] })).toBe(
      'reshape: cannot reshape [B,4,4] (16·B elements) to [B,8] (8·B elements)',
    );
    expect(typeError('reshape', [T('f32', ['B', 4])], { shape: ['N', 4] })).toBe(
      'reshape: cannot reshape [B,4] (4·B elements) to [N,4] (4·N elements)',
    );
    expect(typeError('reshape', [T('f32', [4, 4])], { shape: [-1, 8] })).toBe('reshape: shape [-1,8] has -1; reshape needs every dim spelled out');
  });

  it('keeps row-major order and solves one unbound symbol from the element count', () => {
    const x = rand(24, 4);
    const got = runRef('reshape', [{ data: x, shape: [2, 3, 4] }], { shape: [6, 4] });
    expectClose(got.data, x, 0);
    const solved = runRef('reshape', [{ data: x, shape: [3, 8] }], { shape: ['B', 12] }, { other: 1 });
    expect(solved.shape).toEqual([2, 12]);
    expect(() => runRef('reshape', [{ data: x, shape: [24] }], { shape: ['B', 'N'] }, { other: 1 })).toThrow(/REF0001/);
  });
});

describe('transpose', () => {
  it('permutes dims, symbols included, and rejects non-permutations', () => {
    expect(inferOp('transpose', [T('f32', ['B', 3, 5])], { perm: [2, 0, 1] })).toEqual(T('f32', [5, 'B', 3]));
    expect(typeError('transpose', [T('f32', [2, 3])], { perm: [0, 0] })).toBe('transpose: perm [0, 0] is not a permutation of the 2 axes of [2,3]');
  });

  it('moves elements like out[i0,i1,i2] = x[idx with perm]', () => {
    const shape = [2, 3, 4],
      perm = [1, 2, 0];
    const x = rand(24, 5);
    const outShape = perm.map((p) => shape[p]);
    const want = Array.from({ length: 24 }, (_, i) => {
      const o = unravel(i, outShape);
      const src = new Array<number>(3);
      perm.forEach((p, j) => {
        src[p] = o[j];
      });
      return x[ravel(src, shape)];
    });
    expectClose(runRef('transpose', [{ data: x, shape }], { perm }).data, want, 0);
  });

  it('costs bytes only', () => {
    expect(costOf('transpose', [T('f32', [2, 3])], { perm: [1, 0] })).toEqual({ flops: 0, bytes: 48 });
  });
});

describe('concat', () => {
  it('sums the axis and requires matching other dims', () => {
    expect(inferOp('concat', [T('f32', ['B', 2, 4]), T('f32', ['B', 3, 4])], { axis: 1 })).toEqual(T('f32', ['B', 5, 4]));
    expect(inferOp('concat', [T('f32', ['B', 2])], { axis: 0 })).toEqual(T('f32', ['B', 2]));
    expect(typeError('concat', [T('f32', [2, 4]), T('f32', [3, 5])], { axis: 0 })).toBe(
      'concat: input 1 [3,5] does not match input 0 [2,4] off axis 0',
    );
    expect(typeError('concat', [T('f32', ['B', 4]), T('f32', ['B', 4])], { axis: 0 })).toBe(
      "concat: axis 0 of input 0 must be a static size, got symbolic 'B'",
    );
    expect(typeError('concat', [T('f32', [2]), T('i32', [2])], { axis: 0 })).toBe('concat: input 1 is i32 but input 0 is f32');
    expect(typeError('concat', [], { axis: 0 })).toBe('concat: needs at least one input');
  });

  it('joins along a negative axis', () => {
    const a = rand(6, 1),
      b = rand(4, 2);
    const got = runRef(
      'concat',
      [
        { data: a, shape: [2, 3] },
        { data: b, shape: [2, 2] },
      ],
      { axis: -1 },
    );
    const want = [a[0], a[1], a[2], b[0], b[1], a[3], a[4], a[5], b[2], b[3]];
    expectClose(got.data, want, 0);
  });
});

describe('slice', () => {
  it('slices with steps and negative bounds like Python', () => {
    const shape = [5, 7];
    const x = rand(35, 9);
    const got = runRef('slice', [{ data: x, shape }], { begin: [1, -6], end: [SLICE_END, 7], step: [2, 3] });
    const want: number[] = [];
    for (let i = 1; i < 5; i += 2) for (let j = 1; j < 7; j += 3) want.push(x[i * 7 + j]);
    expect(got.shape).toEqual([2, 2]);
    expectClose(got.data, want, 0);
  });

  it('keeps whole symbolic axes and rejects anything else there', () => {
    expect(inferOp('slice', [T('f32', ['B', 10])], { begin: [0, 2], end: [SLICE_END, 9], step: [1, 3] })).toEqual(T('f32', ['B', 3]));
    expect(typeError('slice', [T('f32', ['B', 10])], { begin: [1, 0], end: [SLICE_END, 10], step: [1, 1] })).toBe(
      `slice: axis 0 has symbolic size 'B'; only the whole axis (begin 0, end ${SLICE_END}, step 1) can be kept`,
    );
  });

  it('rejects empty results, bad steps and wrong lengths', () => {
    expect(typeError('slice', [T('f32', [4])], { begin: [3], end: [2], step: [1] })).toBe('slice: axis 0 (size 4) is empty after slicing 3:2:1');
    expect(typeError('slice', [T('f32', [4])], { begin: [0], end: [4], step: [0] })).toBe('slice: step values must be >= 1, got [0]');
    expect(typeError('slice', [T('f32', [4, 2])], { begin: [0], end: [4], step: [1] })).toBe('slice: begin has 1 values but the input has rank 2');
  });
});

describe('pad', () => {
  it('pads with a value before and after each axis', () => {
    const x = rand(6, 3);
    const got = runRef('pad', [{ data: x, shape: [2, 3] }], { pads: [1, 0, 2, 1], value: -5 });
    const want = Array.from({ length: 3 * 6 }, (_, i) => {
      const [r, c] = unravel(i, [3, 6]);
      const sr = r - 1,
        sc = c - 2;
      return sr >= 0 && sr < 2 && sc >= 0 && sc < 3 ? x[sr * 3 + sc] : -5;
    });
    expect(got.shape).toEqual([3, 6]);
    expectClose(got.data, want, 0);
  });

  it('types symbolic axes only when they are not padded', () => {
    expect(inferOp('pad', [T('f32', ['B', 3])], { pads: [0, 0, 1, 1] })).toEqual(T('f32', ['B', 5]));
    expect(typeError('pad', [T('f32', ['B', 3])], { pads: [1, 0, 0, 0] })).toBe("pad: padded axis 0 must be a static size, got symbolic 'B'");
    expect(typeError('pad', [T('f32', [3])], { pads: [1] })).toBe('pad: pads has 1 values but rank 1 needs 2 (before, after per axis)');
    expect(typeError('pad', [T('f32', [3])], { pads: [-1, 0] })).toBe('pad: pads must be >= 0, got [-1, 0]');
  });
});

describe('gather', () => {
  it('replaces the axis by the indices shape', () => {
    expect(inferOp('gather', [T('f32', ['B', 10, 4]), T('i32', [2, 3])], { axis: 1 })).toEqual(T('f32', ['B', 2, 3, 4]));
    expect(inferOp('gather', [T('f32', [1000]), T('i32', [])])).toEqual(T('f32', []));
    expect(typeError('gather', [T('f32', [4]), T('f32', [2])])).toBe('gather: indices must be i32, got f32');
    expect(typeError('gather', [T('f32', [4]), T('i32', [2])], { axis: 1 })).toBe('gather: axis 1 is out of range for rank 1');
  });

  it('picks rows along an inner axis', () => {
    const shape = [2, 5, 3],
      idx = [4, 0, 4, 2],
      idxShape = [2, 2];
    const x = rand(30, 8);
    const got = runRef(
      'gather',
      [
        { data: x, shape },
        { data: idx, shape: idxShape, dtype: 'int32' },
      ],
      { axis: 1 },
    );
    const outShape = [2, 2, 2, 3];
    const want = Array.from({ length: prod(outShape) }, (_, i) => {
      const [a, p, q, c] = unravel(i, outShape);
      return x[ravel([a, idx[p * 2 + q], c], shape)];
    });
    expectClose(got.data, want, 0);
  });

  it('reads a table at a scalar index and rejects out-of-range indices', () => {
    expect(
      Array.from(
        runRef('gather', [
          { data: [7, 8, 9], shape: [3] },
          { data: [2], shape: [], dtype: 'int32' },
        ]).data,
      ),
    ).toEqual([9]);
    expect(() =>
      runRef('gather', [
        { data: [7, 8, 9], shape: [3] },
        { data: [3], shape: [1], dtype: 'int32' },
      ]),
    ).toThrow(/REF0003: gather: index 3 is out of range \[0, 3\) on axis 0/);
  });
});

describe('upsample_nearest', () => {
  it('scales static spatial dims and needs them static', () => {
    expect(inferOp('upsample_nearest', [T('f32', ['B', 4, 7, 5])], { scale: 3 })).toEqual(T('f32', ['B', 4, 21, 15]));
    expect(typeError('upsample_nearest', [T('f32', ['B', 4, 'H', 5])])).toBe("upsample_nearest: H must be a static size, got symbolic 'H'");
    expect(typeError('upsample_nearest', [T('f32', [4, 5])])).toBe('upsample_nearest: x must be [N,C,H,W] (rank 4), got [4,5]');
  });

  it('copies each pixel into an s×s block', () => {
    const shape = [1, 2, 2, 3],
      s = 2;
    const x = rand(12, 6);
    const out = [1, 2, 4, 6];
    const want = Array.from({ length: prod(out) }, (_, i) => {
      const [n, c, h, w] = unravel(i, out);
      return x[ravel([n, c, Math.floor(h / s), Math.floor(w / s)], shape)];
    });
    expectClose(runRef('upsample_nearest', [{ data: x, shape }], { scale: s }).data, want, 0);
  });

  it('costs bytes only', () => {
    expect(costOf('upsample_nearest', [T('f32', [1, 2, 2, 3])])).toEqual({ flops: 0, bytes: (12 + 48) * 4 });
  });
});
