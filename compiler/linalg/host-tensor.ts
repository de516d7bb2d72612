/**
 * The few axis operations on row-major f32 host tensors that the weight-rewriting passes need:
 * selecting indices along an axis (structured pruning), scaling slices (BatchNorm folding) and
 * per-slice norms (pruning importance).
 */
import type { Tensor } from '../core/tensor.ts';

type F32Tensor = Tensor<Float32Array>;

/** (outer, extent, inner) sizes around `axis`: element (o, i, k) sits at (o·extent + i)·inner + k. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  if (axis < 0 || axis >= shape.length) throw new RangeError(`axis ${axis} out of range for [${shape.join(',')}]`);
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  return [outer, shape[axis], inner];
}

/** The sub-tensor holding indices `keep` (in that order) along `axis`. */
export function takeAlongAxis(t: F32Tensor, axis: number, keep: readonly number[]): F32Tensor {
  const [outer, extent, inner] = around(t.shape, axis);
  const out = new Float32Array(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((idx, j) => {
      if (idx < 0 || idx >= extent) throw new RangeError(`index ${idx} out of range for axis ${axis} of size ${extent}`);
      const src = (o * extent + idx) * inner,
        dst = (o * keep.length + j) * inner;
      out.set(t.data.subarray(src, src + inner), dst);
    });
  }
  const shape = [...t.shape];
  shape[axis] = keep.length;
  return { dtype: t.dtype, shape, data: out };
}

/** Multiplies slice i along `axis` by s[i], computing in f64 and rounding once. */
export function scaleAlongAxis(t: F32Tensor, axis: number, s: ArrayLike<number>): F32Tensor {
  const [outer, extent, inner] = around(t.shape, axis);
  if (s.length !== extent) throw new RangeError(`${s.length} scales for axis ${axis} of size ${extent}`);
  const out = new Float32Array(t.data.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < extent; i++) {
      const base = (o * extent + i) * inner;
      for (let k = 0; k < inner; k++) out[base + k] = t.data[base + k] * s[i];
    }
  }
  return { dtype: t.dtype, shape: t.shape, data: out };
}

/** Σ|x| over each slice along `axis` (the L1 norm of each output filter when axis is O). */
export function l1AlongAxis(t: F32Tensor, axis: number): Float64Array {
  const [outer, extent, inner] = around(t.shape, axis);
  const out = new Float64Array(extent);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < extent; i++) {
      const base = (o * extent + i) * inner;
      for (let k = 0; k < inner; k++) out[i] += Math.abs(t.data[base + k]);
    }
  }
  return out;
}

/** Σ x·y over each slice along `axis` (first-order Taylor importance from a gradient). */
export function dotAlongAxis(t: F32Tensor, g: F32Tensor, axis: number): Float64Array {
  if (t.data.length !== g.data.length) throw new RangeError('dotAlongAxis: tensors differ in size');
  const [outer, extent, inner] = around(t.shape, axis);
  const out = new Float64Array(extent);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < extent; i++) {
      const base = (o * extent + i) * inner;
      for (let k = 0; k < inner; k++) out[i] += t.data[base + k] * g.data[base + k];
    }
  }
  return out;
}
