/**
 * What every reference kernel shares: the kernel signature, what it may ask of the executor, the
 * family table type, and binding symbolic dims of shape attributes to numbers.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../core/diagnostics.ts';
import type { Attrs } from '../../core/ir/node.ts';
import { formatShape, type Shape } from '../../core/ir/types.ts';

/** What a reference kernel may ask of the executor (noise, bound dims). */
export interface ReferenceContext {
  readonly dims: Readonly<Record<string, number>>;
}

/** tfjs-core semantics of one op: inputs and normalized attributes in, one tensor out. */
export type ReferenceKernel = (inputs: tf.Tensor[], attrs: Attrs, ctx: ReferenceContext) => tf.Tensor;

/** One op family's kernels, keyed by op name. */
export type KernelTable = Readonly<Record<string, ReferenceKernel>>;

/**
 * Binds the symbols of a shape attribute for a reference kernel. Unbound symbols are taken from
 * `fallback` (same rank, e.g. the input's actual extents) when it has a number there.
 */
export function bindStatic(op: string, shape: Shape, ctx: ReferenceContext, fallback?: readonly (number | undefined)[]): number[] {
  return shape.map((d, i) => {
    if (typeof d === 'number') return d;
    if (d in ctx.dims) return ctx.dims[d];
    const guess = fallback?.[i];
    if (guess !== undefined) return guess;
    return fail('REF0001', `${op}: symbolic dim '${d}' of ${formatShape(shape)} is not bound (pass dims to the executor)`);
  });
}
