/**
 * Reference kernels of the data-movement ops: reshape (one unbound symbol solved from the element
 * count), transpose, concat, slice (the op's Python bounds), pad, gather (indices checked, never
 * read out of range) and upsample_nearest.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../core/diagnostics.ts';
import { formatShape, type Shape } from '../../core/ir/types.ts';
import { attrDims, attrInt, attrInts, normAxis } from '../../core/ops/common.ts';
import { clampSlice, padPairs, sliceAttrs } from '../../core/ops/shape.ts';
import type { KernelTable, ReferenceContext } from './common.ts';

/** Binds the target shape; one symbol left unbound is solved from the element count. */
function reshapeTarget(x: tf.Tensor, shape: Shape, ctx: ReferenceContext): number[] {
  const unbound = new Set(shape.filter((d): d is string => typeof d === 'string' && !(d in ctx.dims)));
  if (unbound.size === 0) return shape.map((d) => (typeof d === 'number' ? d : ctx.dims[d]));
  const [sym] = unbound;
  const occurrences = shape.filter((d) => d === sym).length;
  if (unbound.size > 1 || occurrences > 1) {
    return fail('REF0001', `reshape: dims ${[...unbound].join(', ')} of ${formatShape(shape)} are not bound (pass dims to the executor)`);
  }
  const known = shape.reduce<number>((p, d) => p * (d === sym ? 1 : typeof d === 'number' ? d : ctx.dims[d]), 1);
  return shape.map((d) => (d === sym ? x.size / known : typeof d === 'number' ? d : ctx.dims[d]));
}

/** The reference fails loudly on out-of-range indices instead of reading garbage. */
function checkIndices(indices: tf.Tensor, size: number, axis: number): void {
  for (const i of indices.dataSync()) {
    if (!(i >= 0 && i < size)) fail('REF0003', `gather: index ${i} is out of range [0, ${size}) on axis ${axis}`);
  }
}

export const SHAPE_KERNELS: KernelTable = {
  reshape: ([x], a, ctx) => tf.tidy(() => tf.reshape(x, reshapeTarget(x, attrDims(a, 'shape'), ctx))),
  transpose: ([x], a) => tf.tidy(() => tf.transpose(x, attrInts(a, 'perm'))),
  concat: (xs, a) => tf.tidy(() => tf.concat(xs, normAxis(attrInt(a, 'axis'), xs[0].shape.length))),
  slice: ([x], a) => {
    const { begin, end, step } = sliceAttrs(a, x.rank);
    const axes = x.shape.map((d, i) => clampSlice(d, begin[i], end[i], step[i]));
    return tf.tidy(() =>
      tf.stridedSlice(
        x,
        axes.map((s) => s.begin),
        axes.map((s) => s.end),
        step,
      ),
    );
  },
  pad: ([x], a) => tf.tidy(() => tf.pad(x, padPairs(a, x.rank), a.value as number)),
  gather: ([data, indices], a) => {
    const axis = normAxis(attrInt(a, 'axis'), data.rank);
    checkIndices(indices, data.shape[axis], axis);
    return tf.tidy(() => tf.gather(data, indices, axis));
  },
  upsample_nearest: ([x], a) => {
    const s = attrInt(a, 'scale');
    const [n, c, h, w] = x.shape;
    // [N,C,H,1,W,1] stretched to [N,C,H,s,W,s] puts each pixel's copies next to it in row-major order.
    return tf.tidy(() => tf.reshape(tf.broadcastTo(tf.reshape(x, [n, c, h, 1, w, 1]), [n, c, h, s, w, s]), [n, c, h * s, w * s]));
  },
};
