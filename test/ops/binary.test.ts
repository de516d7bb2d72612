// Binary arithmetic, comparisons, where and broadcast_to: broadcasting type rules, reference numerics
// against plain broadcasting loops, integer division, costs.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, bcastIndex, costOf, expectClose, inferOp, prod, rand, runRef, typeError, unravel, useBackend } from './helpers.ts';

beforeAll(useBackend);

/** out[i] = f(a[bcast i], b[bcast i]) over the broadcast shape, by plain index arithmetic. */
function loopBinary(
  a: ArrayLike<number>,
  as: number[],
  b: ArrayLike<number>,
  bs: number[],
  out: number[],
  f: (x: number, y: number) => number,
): number[] {
  return Array.from({ length: prod(out) }, (_, i) => {
    const idx = unravel(i, out);
    return f(a[bcastIndex(idx, as)], b[bcastIndex(idx, bs)]);
  });
}

const ARITH: [string, (x: number, y: number) => number][] = [
  ['add', (x, y) => x + y],
  ['sub', (x, y) => x - y],
  ['mul', (x, y) => x * y],
  ['div', (x, y) => x / y],
  ['pow', (x, y) => Math.pow(x, y)],
  ['min', Math.min],
  ['max', Math.max],
];

describe('binary arithmetic', () => {
  const as = [2, 1, 3],
    bs = [4, 1],
    out = [2, 4, 3];
  const a = rand(prod(as), 11, 0.5, 2),
    b = rand(prod(bs), 12, 0.5, 2);

  it.each(ARITH)('%s broadcasts like numpy', (op, f) => {
    const got = runRef(op, [
      { data: a, shape: as },
      { data: b, shape: bs },
    ]);
    expectClose(got.data, loopBinary(a, as, b, bs, out, f));
  });

  it('broadcasts symbolic dims against 1 and against themselves', () => {
    expect(inferOp('add', [T('f32', ['B', 1, 3]), T('f32', [4, 1])])).toEqual(T('f32', ['B', 4, 3]));
    expect(inferOp('mul', [T('f32', ['B', 'H']), T('f32', ['B', 1])])).toEqual(T('f32', ['B', 'H']));
  });

  it('rejects incompatible shapes, mixed dtypes and bool', () => {
    expect(typeError('add', [T('f32', [2, 3]), T('f32', [4, 3])])).toBe('add: cannot broadcast [2,3] with [4,3] (dim 2 vs 4)');
    expect(typeError('add', [T('f32', ['B']), T('f32', ['N'])])).toBe('add: cannot broadcast [B] with [N] (dim B vs N)');
    expect(typeError('mul', [T('f32', [2]), T('i32', [2])])).toBe('mul: operands have different dtypes f32 and i32; cast one first');
    expect(typeError('sub', [T('bool', [2]), T('bool', [2])])).toBe('sub: operands must be numeric, got bool');
  });

  it('divides integers truncating toward zero', () => {
    const got = runRef('div', [
      { data: [-7, 7, -8, 9, 0], shape: [5], dtype: 'int32' },
      { data: [2, -2, 3, 3, -4], shape: [5], dtype: 'int32' },
    ]);
    expect(Array.from(got.data)).toEqual([-3, -3, -2, 3, 0]);
    expect(got.dtype).toBe('int32');
  });

  it('costs one flop per output element', () => {
    expect(costOf('add', [T('f32', [2, 1, 3]), T('f32', [4, 1])])).toEqual({ flops: 24, bytes: (6 + 4 + 24) * 4 });
  });
});

describe('comparisons and where', () => {
  const a = [1, 2, 3, 4, 5, 6],
    b = [3, 2, 1];
  it.each([
    ['less', (x: number, y: number) => x < y],
    ['greater', (x: number, y: number) => x > y],
    ['equal', (x: number, y: number) => x === y],
  ] as const)('%s gives bool with broadcasting', (op, f) => {
    const got = runRef(op, [
      { data: a, shape: [2, 3] },
      { data: b, shape: [3] },
    ]);
    expect(got.dtype).toBe('bool');
    expect(Array.from(got.data)).toEqual(loopBinary(a, [2, 3], b, [3], [2, 3], (x, y) => Number(f(x, y))));
    expect(inferOp(op, [T('f32', ['B', 3]), T('f32', [3])])).toEqual(T('bool', ['B', 3]));
  });

  it('equal accepts bools but less does not', () => {
    expect(inferOp('equal', [T('bool', [2]), T('bool', [2])])).toEqual(T('bool', [2]));
    expect(typeError('less', [T('bool', [2]), T('bool', [2])])).toBe('less: operands must be numeric, got bool');
  });

  it('where picks a or b per element, broadcasting all three', () => {
    const cond = [true, false, true];
    const x = rand(6, 1),
      y = rand(2, 2);
    const got = runRef('where', [
      { data: cond, shape: [1, 3], dtype: 'bool' },
      { data: x, shape: [2, 3] },
      { data: y, shape: [2, 1] },
    ]);
    const want = Array.from({ length: 6 }, (_, i) => (cond[i % 3] ? x[i] : y[Math.floor(i / 3)]));
    expectClose(got.data, want, 0);
    expect(inferOp('where', [T('bool', ['B', 1]), T('f32', [3]), T('f32', ['B', 3])])).toEqual(T('f32', ['B', 3]));
  });

  it('where needs a bool condition and matching branches', () => {
    expect(typeError('where', [T('f32', [2]), T('f32', [2]), T('f32', [2])])).toBe('where: cond must be bool, got f32');
    expect(typeError('where', [T('bool', [2]), T('f32', [2]), T('i32', [2])])).toBe(
      'where: branches have different dtypes f32 and i32; cast one first',
    );
  });
});

describe('broadcast_to', () => {
  it('types against a shape with symbols', () => {
    expect(inferOp('broadcast_to', [T('f32', [1, 3])], { shape: ['B', 4, 3] })).toEqual(T('f32', ['B', 4, 3]));
    expect(inferOp('broadcast_to', [T('f32', ['B', 1])], { shape: ['B', 5] })).toEqual(T('f32', ['B', 5]));
  });

  it('rejects shapes it cannot reach', () => {
    expect(typeError('broadcast_to', [T('f32', [3])], { shape: [4] })).toBe('broadcast_to: cannot broadcast [3] to [4] (dim 3 vs 4)');
    expect(typeError('broadcast_to', [T('f32', ['B'])], { shape: [1] })).toBe('broadcast_to: cannot broadcast [B] to [1] (dim B vs 1)');
    expect(typeError('broadcast_to', [T('f32', [2, 3])], { shape: [3] })).toBe('broadcast_to: cannot broadcast [2,3] to lower rank [3]');
  });

  it('repeats data, binding symbols from ctx.dims or from the input', () => {
    const x = [1, 2, 3];
    const got = runRef('broadcast_to', [{ data: x, shape: [1, 3] }], { shape: ['B', 2, 3] }, { B: 2 });
    expect(got.shape).toEqual([2, 2, 3]);
    expect(Array.from(got.data)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    const fromInput = runRef('broadcast_to', [{ data: [5, 6], shape: [2, 1] }], { shape: ['B', 3] }, { unrelated: 1 });
    expect(Array.from(fromInput.data)).toEqual([5, 5, 5, 6, 6, 6]);
    expect(() => runRef('broadcast_to', [{ data: x, shape: [1, 3] }], { shape: ['B', 3] }, { unrelated: 1 })).toThrow(/REF0001.*'B'/);
  });

  it('costs no flops, only bytes', () => {
    expect(costOf('broadcast_to', [T('f32', [1, 3])], { shape: [4, 3] })).toEqual({ flops: 0, bytes: (3 + 12) * 4 });
  });
});
