// Reductions (sum, mean, reduce_max, variance) and softmax: type rules, numerics against plain
// loops over the reduced axes, costs.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, costOf, expectClose, inferOp, prod, rand, runRef, typeError, unravel, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** Groups x's elements by their index with `axes` removed; returns each group's values in order. */
function groups(x: ArrayLike<number>, shape: number[], axes: number[]): number[][] {
  const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out: number[][] = Array.from({ length: prod(keep) }, () => []);
  for (let i = 0; i < x.length; i++) {
    const idx = unravel(i, shape).map((v, j) => (axes.includes(j) ? 0 : v));
    out[idx.reduce((acc, v, j) => acc * keep[j] + v, 0)].push(x[i]);
  }
  return out;
}

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
const REDUCERS: [string, (v: number[]) => number][] = [
  ['sum', (v) => v.reduce((s, x) => s + x, 0)],
  ['mean', mean],
  ['reduce_max', (v) => Math.max(...v)],
  ['variance', (v) => mean(v.map((x) => (x - mean(v)) ** 2))],
];

describe('reductions', () => {
  const shape = [3, 4, 5];
  const x = rand(60, 21, -2, 3);

  it.each(REDUCERS)('%s over axes [0, 2] matches a loop', (op, f) => {
    const got = runRef(op, [{ data: x, shape }], { axes: [0, -1] });
    expect(got.shape).toEqual([4]);
    expectClose(got.data, groups(x, shape, [0, 2]).map(f));
  });

  it.each(REDUCERS)('%s keeps dims when asked, symbols included', (op) => {
    expect(runRef(op, [{ data: x, shape }], { axes: [1], keepdims: true }).shape).toEqual([3, 1, 5]);
    expect(inferOp(op, [T('f32', ['B', 4, 'S'])], { axes: [2] })).toEqual(T('f32', ['B', 4]));
    expect(inferOp(op, [T('f32', ['B', 4, 'S'])], { axes: [0, 2], keepdims: true })).toEqual(T('f32', [1, 4, 1]));
  });

  it('rejects bad axes and integer means', () => {
    expect(typeError('sum', [T('f32', [2, 3])], { axes: [2] })).toBe('sum: axis 2 is out of range for rank 2');
    expect(typeError('sum', [T('f32', [2, 3])], { axes: [1, -1] })).toBe('sum: axes [1, -1] name an axis twice');
    expect(typeError('sum', [T('f32', [2, 3])], { axes: [] })).toBe('sum: axes must name at least one axis');
    expect(typeError('mean', [T('i32', [2, 3])], { axes: [0] })).toBe('mean: x must be a float tensor, got i32');
    expect(typeError('variance', [T('f32', [2])], {})).toBe("variance: op 'variance' needs attribute 'axes'");
  });

  it('sums integers exactly', () => {
    const got = runRef('sum', [{ data: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: 'int32' }], { axes: [1] });
    expect([got.dtype, ...got.data]).toEqual(['int32', 6, 15]);
  });

  it('costs as documented', () => {
    expect(costOf('sum', [T('f32', [3, 4])], { axes: [1] })).toEqual({ flops: 12, bytes: (12 + 3) * 4 });
    expect(costOf('mean', [T('f32', [3, 4])], { axes: [1] })).toEqual({ flops: 15, bytes: (12 + 3) * 4 });
    expect(costOf('variance', [T('f32', [3, 4])], { axes: [0, 1] })).toEqual({ flops: 48, bytes: (12 + 1) * 4 });
  });
});

describe('softmax', () => {
  it('normalises along an inner axis', () => {
    const shape = [2, 4, 3];
    const x = rand(24, 5, -4, 4);
    const got = runRef('softmax', [{ data: x, shape }], { axis: 1 });
    const want = Array.from({ length: 24 }, (_, i) => {
      const [a, , c] = unravel(i, shape);
      const col = [0, 1, 2, 3].map((j) => x[a * 12 + j * 3 + c]);
      return Math.exp(x[i]) / col.reduce((s, v) => s + Math.exp(v), 0);
    });
    expectClose(got.data, want);
  });

  it('is stable for large logits', () => {
    const got = runRef('softmax', [{ data: [1000, 1001, 999], shape: [3] }]);
    const e = [Math.exp(-1), 1, Math.exp(-2)],
      s = e[0] + e[1] + e[2];
    expectClose(
      got.data,
      e.map((v) => v / s),
    );
  });

  it('types and costs', () => {
    expect(inferOp('softmax', [T('f32', ['B', 'L'])])).toEqual(T('f32', ['B', 'L']));
    expect(typeError('softmax', [T('f32', [2])], { axis: 1 })).toBe('softmax: axis 1 is out of range for rank 1');
    expect(costOf('softmax', [T('f32', [2, 8])])).toEqual({ flops: 80, bytes: 128 });
  });
});
