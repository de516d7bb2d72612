/**
 * Data-movement kernels of the StableHLO interpreter (broadcast_in_dim, transpose, slice,
 * dynamic_slice, concatenate, pad, iota, gather), written from the StableHLO spec (docs/spec.md of
 * openxla/stablehlo). Each computes its result shape from the operands and attributes; the driver
 * compares it with the type the text declares.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { allocData, type HloTensor } from './interpret-tensor.ts';
import { elemCount, ttype, type TType } from '../../targets/stablehlo/types.ts';

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** out[idx] = src[base + Σ idx[d]·step[d]] over every index of `shape` (an odometer walk). */
function strided(src: HloTensor, out: TType, base: number, step: readonly number[]): HloTensor {
  const shape = out.shape;
  const n = elemCount(shape);
  const data = allocData(out.elem, n);
  const idx = new Array<number>(shape.length).fill(0);
  let off = base;
  for (let i = 0; i < n; i++) {
    data[i] = src.data[off];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        off += step[d];
        break;
      }
      off -= step[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
  return { type: out, data };
}

export function broadcastInDim(x: HloTensor, dims: readonly number[], out: TType): HloTensor {
  const inStride = stridesOf(x.type.shape);
  const step = out.shape.map(() => 0);
  dims.forEach((d, k) => {
    const size = x.type.shape[k];
    if (size !== 1 && size !== out.shape[d])
      fail('HLO0304', `broadcast_in_dim: operand dim ${k} (${size}) does not fit result dim ${d} (${out.shape[d]})`);
    if (size !== 1) step[d] = inStride[k];
  });
  return strided(x, ttype(x.type.elem, out.shape), 0, step);
}

export function transpose(x: HloTensor, perm: readonly number[]): HloTensor {
  const inStride = stridesOf(x.type.shape);
  return strided(
    x,
    ttype(
      x.type.elem,
      perm.map((p) => x.type.shape[p]),
    ),
    0,
    perm.map((p) => inStride[p]),
  );
}

export function slice(x: HloTensor, start: readonly number[], limit: readonly number[], strides: readonly number[]): HloTensor {
  const inStride = stridesOf(x.type.shape);
  start.forEach((s, i) => {
    if (s < 0 || limit[i] > x.type.shape[i] || s > limit[i] || strides[i] < 1)
      fail('HLO0304', `slice bounds ${s}:${limit[i]}:${strides[i]} do not fit dim ${i} of size ${x.type.shape[i]}`);
  });
  const shape = start.map((s, i) => Math.ceil((limit[i] - s) / strides[i]));
  const base = start.reduce((acc, s, i) => acc + s * inStride[i], 0);
  return strided(
    x,
    ttype(x.type.elem, shape),
    base,
    strides.map((st, i) => st * inStride[i]),
  );
}

/** Start indices are clamped so the slice stays inside the operand (spec: dynamic_slice). */
export function dynamicSlice(x: HloTensor, starts: readonly number[], sizes: readonly number[]): HloTensor {
  const clamped = starts.map((s, i) => Math.min(Math.max(s, 0), x.type.shape[i] - sizes[i]));
  return slice(
    x,
    clamped,
    clamped.map((s, i) => s + sizes[i]),
    sizes.map(() => 1),
  );
}

export function concatenate(xs: readonly HloTensor[], dim: number): HloTensor {
  const shape = [...xs[0].type.shape];
  shape[dim] = xs.reduce((s, x) => s + x.type.shape[dim], 0);
  const outer = elemCount(shape.slice(0, dim));
  const data = allocData(xs[0].type.elem, elemCount(shape));
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const x of xs) {
      const block = elemCount(x.type.shape.slice(dim));
      data.set(x.data.subarray(o * block, (o + 1) * block), at);
      at += block;
    }
  }
  return { type: ttype(xs[0].type.elem, shape), data };
}

/** Edge padding (negative crops) and interior padding between elements. */
export function pad(x: HloTensor, value: HloTensor, low: readonly number[], high: readonly number[], interior: readonly number[]): HloTensor {
  const inShape = x.type.shape;
  const shape = inShape.map((d, i) => low[i] + high[i] + d + Math.max(0, d - 1) * interior[i]);
  const data = allocData(x.type.elem, elemCount(shape)).fill(value.data[0]);
  const outStride = stridesOf(shape);
  const idx = new Array<number>(inShape.length).fill(0);
  for (let i = 0; i < x.data.length; i++) {
    let off = 0;
    let inside = true;
    for (let d = 0; d < inShape.length; d++) {
      const p = low[d] + idx[d] * (interior[d] + 1);
      if (p < 0 || p >= shape[d]) {
        inside = false;
        break;
      }
      off += p * outStride[d];
    }
    if (inside) data[off] = x.data[i];
    for (let d = inShape.length - 1; d >= 0 && ++idx[d] === inShape[d]; d--) idx[d] = 0;
  }
  return { type: ttype(x.type.elem, shape), data };
}

export function iota(dim: number, out: TType): HloTensor {
  const n = elemCount(out.shape);
  const inner = elemCount(out.shape.slice(dim + 1));
  const data = allocData(out.elem, n);
  for (let i = 0; i < n; i++) data[i] = Math.floor(i / inner) % out.shape[dim];
  return { type: out, data };
}

export interface GatherDims {
  readonly offsetDims: readonly number[];
  readonly collapsedSliceDims: readonly number[];
  readonly startIndexMap: readonly number[];
  readonly indexVectorDim: number;
  readonly sliceSizes: readonly number[];
}

/** stablehlo.gather without batching dims, per the spec's index mapping; starts clamp like dynamic_slice. */
export function gather(operand: HloTensor, indices: HloTensor, g: GatherDims): HloTensor {
  const idxShape = indices.type.shape.length === g.indexVectorDim ? [...indices.type.shape, 1] : [...indices.type.shape];
  const batchShape = idxShape.filter((_, i) => i !== g.indexVectorDim);
  const offsetOperandDims = operand.type.shape.map((_, i) => i).filter((i) => !g.collapsedSliceDims.includes(i));
  const rank = batchShape.length + g.offsetDims.length;
  const shape: number[] = [];
  let b = 0,
    o = 0;
  for (let d = 0; d < rank; d++) shape.push(g.offsetDims.includes(d) ? g.sliceSizes[offsetOperandDims[o++]] : batchShape[b++]);
  const out = ttype(operand.type.elem, shape);
  const data = allocData(out.elem, elemCount(shape));
  const inStride = stridesOf(operand.type.shape);
  const idxStride = stridesOf(idxShape);
  const outIdx = new Array<number>(rank).fill(0);
  for (let i = 0; i < data.length; i++) {
    const batch = outIdx.filter((_, d) => !g.offsetDims.includes(d));
    const offsets = outIdx.filter((_, d) => g.offsetDims.includes(d));
    const start = operand.type.shape.map(() => 0);
    g.startIndexMap.forEach((od, k) => {
      let pos = 0,
        bi = 0;
      for (let d = 0; d < idxShape.length; d++) pos += (d === g.indexVectorDim ? k : batch[bi++]) * idxStride[d];
      start[od] = Math.min(Math.max(indices.data[pos], 0), operand.type.shape[od] - g.sliceSizes[od]);
    });
    let off = 0;
    operand.type.shape.forEach((_, d) => {
      const k = offsetOperandDims.indexOf(d);
      off += (start[d] + (k >= 0 ? offsets[k] : 0)) * inStride[d];
    });
    data[i] = operand.data[off];
    for (let d = rank - 1; d >= 0 && ++outIdx[d] === shape[d]; d--) outIdx[d] = 0;
  }
  return { type: out, data };
}
