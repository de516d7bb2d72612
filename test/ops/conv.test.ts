// conv2d and avg_pool2d: type rules with readable errors, numerics against a direct 7-deep loop
// (stride, pad, dilation, groups, bias), costs by the documented formulas.
import { beforeAll, describe, expect, it } from 'vitest';
import { T, costOf, expectClose, inferOp, prod, rand, runRef, typeError, useBackend } from './helpers.ts';

beforeAll(useBackend);

interface ConvCase {
  n: number;
  c: number;
  h: number;
  w: number;
  o: number;
  kh: number;
  kw: number;
  s: number[];
  p: number[];
  d: number[];
  g: number;
}

/** Direct convolution: out[n,o,y,x] = b[o] + Σ_{ci,i,j} in[n, g·C/G + ci, y·s − p + i·d, x·s − p + j·d] · w[o,ci,i,j]. */
function loopConv(x: Float32Array, w: Float32Array, bias: Float32Array | undefined, k: ConvCase): { data: number[]; shape: number[] } {
  const oh = Math.floor((k.h + 2 * k.p[0] - k.d[0] * (k.kh - 1) - 1) / k.s[0]) + 1;
  const ow = Math.floor((k.w + 2 * k.p[1] - k.d[1] * (k.kw - 1) - 1) / k.s[1]) + 1;
  const cg = k.c / k.g,
    og = k.o / k.g;
  const data: number[] = [];
  for (let n = 0; n < k.n; n++)
    for (let o = 0; o < k.o; o++)
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++) {
          let s = bias ? bias[o] : 0;
          const g = Math.floor(o / og);
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < k.kh; i++)
              for (let j = 0; j < k.kw; j++) {
                const iy = y * k.s[0] - k.p[0] + i * k.d[0],
                  ix = xo * k.s[1] - k.p[1] + j * k.d[1];
                if (iy < 0 || iy >= k.h || ix < 0 || ix >= k.w) continue;
                s += x[((n * k.c + g * cg + ci) * k.h + iy) * k.w + ix] * w[((o * cg + ci) * k.kh + i) * k.kw + j];
              }
          data.push(s);
        }
  return { data, shape: [k.n, k.o, oh, ow] };
}

describe('conv2d', () => {
  const CASES: [string, ConvCase, boolean][] = [
    ['stride 2, pad 1, dilation 2, groups 2, bias', { n: 2, c: 4, h: 9, w: 8, o: 6, kh: 3, kw: 3, s: [2, 2], p: [1, 1], d: [2, 2], g: 2 }, true],
    ['3×3 pad 1, no bias', { n: 1, c: 3, h: 6, w: 5, o: 4, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], g: 1 }, false],
    [
      'asymmetric 2×3 kernel, stride [1,2], dilation [2,1]',
      { n: 1, c: 2, h: 7, w: 9, o: 3, kh: 2, kw: 3, s: [1, 2], p: [0, 1], d: [2, 1], g: 1 },
      true,
    ],
    ['depthwise (groups = C)', { n: 1, c: 3, h: 5, w: 5, o: 3, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], g: 3 }, true],
  ];

  it.each(CASES)('%s matches the direct loop', (_, k, withBias) => {
    const x = rand(k.n * k.c * k.h * k.w, 1),
      w = rand(k.o * (k.c / k.g) * k.kh * k.kw, 2),
      b = rand(k.o, 3);
    const want = loopConv(x, w, withBias ? b : undefined, k);
    const inputs = [
      { data: x, shape: [k.n, k.c, k.h, k.w] },
      { data: w, shape: [k.o, k.c / k.g, k.kh, k.kw] },
    ];
    if (withBias) inputs.push({ data: b, shape: [k.o] });
    const got = runRef('conv2d', inputs, { stride: k.s, pad: k.p, dilation: k.d, groups: k.g });
    expect(got.shape).toEqual(want.shape);
    expectClose(got.data, want.data);
  });

  it('types a symbolic batch', () => {
    expect(inferOp('conv2d', [T('f32', ['B', 4, 28, 28]), T('f32', [8, 4, 3, 3]), T('f32', [8])], { pad: [1, 1] })).toEqual(
      T('f32', ['B', 8, 28, 28]),
    );
  });

  it('explains bad inputs', () => {
    expect(typeError('conv2d', [T('f32', [1, 3, 8, 8]), T('f32', [8, 4, 3, 3])])).toBe(
      'conv2d: input has 3 channels but weight expects 4 (groups=1)',
    );
    expect(typeError('conv2d', [T('f32', [1, 4, 8, 8]), T('f32', [6, 1, 3, 3])], { groups: 4 })).toBe(
      'conv2d: weight has 6 output channels, not divisible by groups=4',
    );
    expect(typeError('conv2d', [T('f32', [1, 4, 8, 8]), T('f32', [8, 4, 3, 3]), T('f32', [4])])).toBe(
      'conv2d: bias [4] must be [8] (one per output channel)',
    );
    expect(typeError('conv2d', [T('f32', [1, 4, 'H', 8]), T('f32', [8, 4, 3, 3])])).toBe("conv2d: input H must be a static size, got symbolic 'H'");
    expect(typeError('conv2d', [T('f32', [1, 4, 3, 8]), T('f32', [8, 4, 3, 3])], { dilation: [2, 1] })).toBe(
      'conv2d: kernel H=3 (dilation 2, span 5) does not fit input H=3 with pad 0',
    );
    expect(typeError('conv2d', [T('f32', [1, 4, 8, 8]), T('f32', [8, 4, 3, 3])], { stride: [0, 1] })).toBe(
      'conv2d: stride values must be >= 1, got [0, 1]',
    );
    expect(typeError('conv2d', [T('f32', [4, 8, 8]), T('f32', [8, 4, 3, 3])])).toBe('conv2d: input must be [N,C,H,W] (rank 4), got [4,8,8]');
  });

  it('costs 2·N·O·H′·W′·(C/g)·kh·kw plus the bias', () => {
    // N=2, O=6, H'=W'=4 (9 + 2 − 5)/2 + 1 = 4 and (8 + 2 − 5)/2 + 1 = 3 → out 2·6·4·3 = 144 elements.
    const x = T('f32', [2, 4, 9, 8]),
      w = T('f32', [6, 2, 3, 3]),
      b = T('f32', [6]);
    const attrs = { stride: [2, 2], pad: [1, 1], dilation: [2, 2], groups: 2 };
    expect(inferOp('conv2d', [x, w, b], attrs)).toEqual(T('f32', [2, 6, 4, 3]));
    expect(costOf('conv2d', [x, w, b], attrs)).toEqual({ flops: 2 * 144 * 2 * 9 + 144, bytes: (576 + 108 + 6 + 144) * 4 });
  });
});

describe('avg_pool2d', () => {
  function loopPool(x: Float32Array, shape: number[], kh: number, kw: number, sh: number, sw: number): number[] {
    const [n, c, h, w] = shape;
    const oh = Math.floor((h - kh) / sh) + 1,
      ow = Math.floor((w - kw) / sw) + 1;
    const out: number[] = [];
    for (let q = 0; q < n * c; q++)
      for (let y = 0; y < oh; y++)
        for (let z = 0; z < ow; z++) {
          let s = 0;
          for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) s += x[(q * h + y * sh + i) * w + z * sw + j];
          out.push(s / (kh * kw));
        }
    return out;
  }

  it('averages 2×2 windows by default (stride = kernel)', () => {
    const shape = [2, 3, 4, 6];
    const x = rand(prod(shape), 4);
    const got = runRef('avg_pool2d', [{ data: x, shape }]);
    expect(got.shape).toEqual([2, 3, 2, 3]);
    expectClose(got.data, loopPool(x, shape, 2, 2, 2, 2));
  });

  it('takes an explicit kernel and stride', () => {
    const shape = [1, 2, 7, 6];
    const x = rand(prod(shape), 5);
    const got = runRef('avg_pool2d', [{ data: x, shape }], { kernel: [3, 2], stride: [2, 1] });
    expect(got.shape).toEqual([1, 2, 3, 5]);
    expectClose(got.data, loopPool(x, shape, 3, 2, 2, 1));
  });

  it('types, rejects and costs', () => {
    expect(inferOp('avg_pool2d', [T('f32', ['B', 8, 28, 28])])).toEqual(T('f32', ['B', 8, 14, 14]));
    expect(typeError('avg_pool2d', [T('f32', [1, 1, 1, 4])])).toBe('avg_pool2d: kernel H=2 (dilation 1, span 2) does not fit input H=1 with pad 0');
    expect(costOf('avg_pool2d', [T('f32', [1, 2, 4, 4])])).toEqual({ flops: 8 * 4, bytes: (32 + 8) * 4 });
  });
});
