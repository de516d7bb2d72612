/**
 * Lowerings of the injective ops: reshape, transpose, concat, slice, pad, gather, upsample_nearest.
 * A gather by one scalar index (the loop counter reading a coefficient table) becomes a
 * `dynamic_slice`, or a static `slice` when the index is known (unrolled steps); other gathers use
 * `stablehlo.gather`.
 */
import { lower, lowerFail, normAxis, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import type { Value } from '../writer.ts';

function concat({ w, inputs, attrs }: LowerCtx): Value {
  return w.concatenate(inputs, normAxis(attrs.axis as number, inputs[0].type.shape.length));
}

/** Static python-style slice: negative bounds count from the end, then clamp (steps are >= 1 by the type rule). */
function slice({ w, inputs, attrs }: LowerCtx): Value {
  const x = inputs[0];
  const begin = attrs.begin as readonly number[];
  const end = attrs.end as readonly number[];
  const step = attrs.step as readonly number[];
  const clamp = (v: number, d: number): number => Math.min(d, Math.max(0, v < 0 ? v + d : v));
  const start = x.type.shape.map((d, i) => clamp(begin[i], d));
  const limit = x.type.shape.map((d, i) => Math.max(start[i], clamp(end[i], d)));
  return w.slice(x, start, limit, step);
}

function pad({ w, inputs, attrs }: LowerCtx): Value {
  const x = inputs[0];
  const pads = attrs.pads as readonly number[];
  const low = x.type.shape.map((_, i) => pads[2 * i]);
  const high = x.type.shape.map((_, i) => pads[2 * i + 1]);
  return w.pad(x, w.splat(attrs.value as number, x.type.elem), low, high);
}

function gather(ctx: LowerCtx): Value {
  const { w, inputs, attrs, out } = ctx;
  const data = inputs[0];
  const axis = normAxis(attrs.axis as number, data.type.shape.length);
  // inputs[1] is read only when needed: a known index must not materialise a constant.
  if (out.shape.length !== data.type.shape.length - 1) return w.gather(data, inputs[1], axis);
  const sizes = data.type.shape.map((d, i) => (i === axis ? 1 : d));
  const known = ctx.knownInt(1);
  if (known !== undefined) {
    if (known < 0 || known >= data.type.shape[axis])
      lowerFail(ctx, `index ${known} is out of range for axis ${axis} of size ${data.type.shape[axis]}`);
    const start = sizes.map((_, i) => (i === axis ? known : 0));
    return w.reshape(
      w.slice(
        data,
        start,
        start.map((s, i) => s + sizes[i]),
      ),
      out.shape,
    );
  }
  const starts = sizes.map((_, i) => (i === axis ? inputs[1] : w.splat(0, 'i32')));
  return w.reshape(w.dynamicSlice(data, starts, sizes), out.shape);
}

/** Nearest upsampling = broadcast each pixel into an s×s block, then merge the block dims. */
function upsampleNearest({ w, inputs, attrs }: LowerCtx): Value {
  const x = inputs[0];
  const s = attrs.scale as number;
  const [n, c, h, wd] = x.type.shape;
  const blocks = w.broadcastInDim(x, [0, 1, 2, 4], [n, c, h, s, wd, s]);
  return w.reshape(blocks, [n, c, h * s, wd * s]);
}

export const SHAPE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  reshape: lower(({ w, inputs, out }) => w.reshape(inputs[0], out.shape)),
  transpose: lower(({ w, inputs, attrs }) => w.transpose(inputs[0], attrs.perm as readonly number[])),
  concat: lower(concat),
  slice: lower(slice),
  pad: lower(pad),
  gather: lower(gather),
  upsample_nearest: lower(upsampleNearest),
};
