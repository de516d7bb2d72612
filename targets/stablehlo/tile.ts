/**
 * TPU tiling (`tile: 'tpu'`). XLA:TPU lays arrays out in (8, 128) tiles — 8 sublanes × 128 lanes —
 * and the MXU multiplies 128×128 blocks, so a dim that is not a multiple is padded in memory anyway.
 * Padding it explicitly in the program (zeros, which leave dot/conv results unchanged) lets XLA keep
 * the tiled layout end to end and hoist the padding of loop-invariant weights out of the loop; the
 * padding is sliced away right after the op.
 *
 * "Where it pays": only when the padded extent is at most MAX_GROWTH times the original. A dim of
 * 100 goes to 128 (28 % more), but a dim of 2 stays 2 rather than becoming 128 (64× the bytes).
 */
import type { Value, FnWriter } from './writer.ts';

/** Minor dim: 128 lanes; second-minor: 8 sublanes (TPU v4 vector register shape). */
export const LANES = 128;
export const SUBLANES = 8;
export const MAX_GROWTH = 1.3;

/** The tile-aligned extent for `d`, or `d` itself when padding would not pay. */
export function tiledExtent(d: number, multiple: number): number {
  const padded = Math.ceil(d / multiple) * multiple;
  return padded !== d && padded <= d * MAX_GROWTH ? padded : d;
}

/** Zero-pads `axis` of x at the high end up to `to` elements. */
export function padAxis(w: FnWriter, x: Value, axis: number, to: number): Value {
  const d = x.type.shape[axis];
  if (to === d) return x;
  const low = x.type.shape.map(() => 0);
  const high = x.type.shape.map((_, i) => (i === axis ? to - d : 0));
  return w.pad(x, w.splat(0, x.type.elem), low, high);
}

/** Slices x back to `shape` (a prefix along every axis). */
export function cropTo(w: FnWriter, x: Value, shape: readonly number[]): Value {
  if (x.type.shape.every((d, i) => d === shape[i])) return x;
  return w.slice(
    x,
    shape.map(() => 0),
    shape,
  );
}
