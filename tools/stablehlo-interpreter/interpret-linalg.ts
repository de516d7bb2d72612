/**
 * Reduction and contraction kernels of the StableHLO interpreter: reduce, dot_general and
 * convolution (the NCHW/OIHW form denoc emits). Sums accumulate in doubles and round once to the
 * result type, so results sit within an ulp or so of any f32 accumulation order.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { allocData, roundTo, type HloTensor } from './interpret-tensor.ts';
import { stridesOf, transpose } from './interpret-layout.ts';
import { elemCount, ttype, type ElemType, type TType } from '../../targets/stablehlo/types.ts';

const REDUCERS: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
};

/** Reduces `dims` of x with `body` starting from the scalar `init`. */
export function reduce(x: HloTensor, init: HloTensor, body: string, dims: readonly number[]): HloTensor {
  const f = REDUCERS[body.replace(/^stablehlo\./, '')];
  if (!f) fail('HLO0303', `reduce body ${body} is not supported`);
  const keep = x.type.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const perm = [...keep, ...dims];
  const moved = transpose(x, perm);
  const outShape = keep.map((i) => x.type.shape[i]);
  const outer = elemCount(outShape);
  const inner = elemCount(dims.map((d) => x.type.shape[d]));
  const out = ttype(x.type.elem, outShape);
  const data = allocData(out.elem, outer);
  for (let o = 0; o < outer; o++) {
    let acc = init.data[0];
    for (let k = 0; k < inner; k++) acc = f(acc, moved.data[o * inner + k]);
    data[o] = roundTo(out.elem, acc);
  }
  return { type: out, data };
}

export interface DotGeneralDims {
  readonly lhsBatch: readonly number[];
  readonly rhsBatch: readonly number[];
  readonly lhsContract: readonly number[];
  readonly rhsContract: readonly number[];
}

/** Batch, lhs free, rhs free (spec order); operands moved to [B, M, K] and [B, K, N] first. */
export function dotGeneral(a: HloTensor, b: HloTensor, d: DotGeneralDims, outElem: ElemType): HloTensor {
  const free = (t: HloTensor, batch: readonly number[], contract: readonly number[]): number[] =>
    t.type.shape.map((_, i) => i).filter((i) => !batch.includes(i) && !contract.includes(i));
  const aFree = free(a, d.lhsBatch, d.lhsContract);
  const bFree = free(b, d.rhsBatch, d.rhsContract);
  const size = (t: HloTensor, axes: readonly number[]): number => elemCount(axes.map((i) => t.type.shape[i]));
  d.lhsContract.forEach((ax, i) => {
    if (a.type.shape[ax] !== b.type.shape[d.rhsContract[i]])
      fail('HLO0304', `dot_general contracts sizes ${a.type.shape[ax]} and ${b.type.shape[d.rhsContract[i]]}`);
  });
  const nb = size(a, d.lhsBatch),
    m = size(a, aFree),
    k = size(a, d.lhsContract),
    n = size(b, bFree);
  const lhs = transpose(a, [...d.lhsBatch, ...aFree, ...d.lhsContract]).data as Float32Array;
  const rhs = transpose(b, [...d.rhsBatch, ...d.rhsContract, ...bFree]).data as Float32Array;
  const shape = [...d.lhsBatch.map((i) => a.type.shape[i]), ...aFree.map((i) => a.type.shape[i]), ...bFree.map((i) => b.type.shape[i])];
  const out = ttype(outElem, shape);
  const data = allocData(outElem, nb * m * n);
  const acc = new Float64Array(n);
  for (let bi = 0; bi < nb; bi++) {
    for (let i = 0; i < m; i++) {
      acc.fill(0);
      const aRow = (bi * m + i) * k;
      for (let p = 0; p < k; p++) {
        const av = lhs[aRow + p];
        const bRow = (bi * k + p) * n;
        for (let j = 0; j < n; j++) acc[j] += av * rhs[bRow + j];
      }
      const at = (bi * m + i) * n;
      for (let j = 0; j < n; j++) data[at + j] = roundTo(outElem, acc[j]);
    }
  }
  return { type: out, data };
}

export interface ConvAttrs {
  readonly stride: readonly number[];
  readonly pad: readonly (readonly number[])[];
  readonly rhsDilate: readonly number[];
  readonly lhsDilate: readonly number[];
  readonly groups: number;
}

/** Valid output columns [lo, hi) for one kernel tap: those whose input column falls inside [0, size). */
function validRange(out: number, size: number, stride: number, offset: number): [number, number] {
  const lo = Math.max(0, Math.ceil(-offset / stride));
  const hi = Math.min(out, Math.floor((size - 1 - offset) / stride) + 1);
  return [lo, Math.max(lo, hi)];
}

/** dim_numbers [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1], feature groups, no lhs dilation. */
export function convolution(x: HloTensor, w: HloTensor, c: ConvAttrs, outElem: ElemType): HloTensor {
  if (c.lhsDilate.some((v) => v !== 1)) fail('HLO0303', 'convolution with lhs_dilate is not supported');
  const [n, ci, h, wd] = x.type.shape;
  const [o, cg, kh, kw] = w.type.shape;
  if (cg * c.groups !== ci || o % c.groups !== 0)
    fail('HLO0304', `convolution: ${ci} input features do not fit kernel ${w.type.shape} with ${c.groups} groups`);
  const [sh, sw] = c.stride,
    [dh, dw] = c.rhsDilate;
  const [[pt, pb], [pl, pr]] = c.pad;
  const oh = Math.floor((h + pt + pb - (dh * (kh - 1) + 1)) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - (dw * (kw - 1) + 1)) / sw) + 1;
  const out: TType = ttype(outElem, [n, o, oh, ow]);
  const data = allocData(outElem, elemCount(out.shape));
  const xs = stridesOf(x.type.shape),
    ws = stridesOf(w.type.shape);
  const acc = new Float64Array(oh * ow);
  const og = o / c.groups;
  // Monomorphic locals: the inner loop reads one Float32Array, not the HloData union.
  const xd = x.data as Float32Array,
    wdat = w.data as Float32Array;
  for (let b = 0; b < n; b++) {
    for (let f = 0; f < o; f++) {
      acc.fill(0);
      const g = Math.floor(f / og);
      for (let cc = 0; cc < cg; cc++) {
        const xBase = b * xs[0] + (g * cg + cc) * xs[1];
        for (let i = 0; i < kh; i++) {
          const [y0, y1] = validRange(oh, h, sh, i * dh - pt);
          for (let j = 0; j < kw; j++) {
            const wv = wdat[f * ws[0] + cc * ws[1] + i * ws[2] + j];
            const [x0, x1] = validRange(ow, wd, sw, j * dw - pl);
            for (let y = y0; y < y1; y++) {
              const row = xBase + (y * sh + i * dh - pt) * xs[2] + j * dw - pl;
              const at = y * ow;
              for (let xx = x0; xx < x1; xx++) acc[at + xx] += wv * xd[row + xx * sw];
            }
          }
        }
      }
      const base = (b * o + f) * oh * ow;
      for (let p = 0; p < acc.length; p++) data[base + p] = roundTo(outElem, acc[p]);
    }
  }
  return { type: out, data };
}
