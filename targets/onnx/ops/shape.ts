/**
 * ONNX lowerings of the shape ops. Shapes are static, so reshape and broadcast targets are int64
 * constants. pad reorders the IR's [before0, after0, …] into ONNX's [befores…, afters…], or is a
 * Concat with zeros when it pads one axis;
 * upsample_nearest is Resize with integer scales, asymmetric coordinates and floor rounding, which
 * picks input pixel ⌊o/s⌋ for output pixel o. onnxruntime runs Slice and Gather as copies even when
 * they move nothing, so a slice that keeps its whole input is an Identity (which it removes), and a
 * gather at constant indices that step evenly (a kernel flip, in conv2d's input gradient) is a Slice.
 */
import { i64, ints, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { tensorOf, type Node } from '../../../compiler/core/ir/node.ts';

/** Zeros around `x` along the one padded axis: onnxruntime's Concat is ~4× its Pad when the axis is innermost. */
function padOneAxisWithZeros(ctx: LowerCtx, axis: number, before: number, after: number): void {
  const input = ctx.inputShape(0);
  const zeros = (n: number): string[] =>
    n
      ? [
          ctx.w.emit('ConstantOfShape', [
            i64(
              ctx,
              input.map((d, i) => (i === axis ? n : d)),
            ),
          ]),
        ]
      : [];
  ctx.w.emit('Concat', [...zeros(before), ctx.inputs[0], ...zeros(after)], { axis: { i: axis } }, ctx.out);
}

function pad(ctx: LowerCtx): void {
  const p = ints(ctx.attrs.pads);
  const pads = [...p.filter((_, i) => i % 2 === 0), ...p.filter((_, i) => i % 2 === 1)];
  const value = Number(ctx.attrs.value ?? 0);
  const dtype = tensorOf(ctx.node).dtype === 'i32' ? 'i32' : 'f32';
  const padded = [...ctx.shape.keys()].filter((i) => p[2 * i] !== 0 || p[2 * i + 1] !== 0);
  // ConstantOfShape without a value is f32 zeros.
  if (value === 0 && dtype === 'f32' && padded.length === 1 && p.every((v) => v >= 0)) {
    const axis = padded[0];
    return padOneAxisWithZeros(ctx, axis, p[2 * axis], p[2 * axis + 1]);
  }
  ctx.w.emit('Pad', [ctx.inputs[0], i64(ctx, pads), ctx.w.constant(dtype, [value], [])], { mode: { s: 'constant' } }, ctx.out);
}

function slice(ctx: LowerCtx): void {
  const input = ctx.inputShape(0);
  if (ctx.shape.every((d, i) => d === input[i]) && ints(ctx.attrs.step).every((st) => st === 1)) {
    ctx.w.emit('Identity', [ctx.inputs[0]], {}, ctx.out);
    return;
  }
  const begin = ints(ctx.attrs.begin);
  const axes = begin.map((_, i) => i);
  ctx.w.emit('Slice', [ctx.inputs[0], i64(ctx, begin), i64(ctx, ints(ctx.attrs.end)), i64(ctx, axes), i64(ctx, ints(ctx.attrs.step))], {}, ctx.out);
}

/** start and step of constant 1-D indices that step evenly inside [0, size), if they do. */
function evenSteps(indices: Node, size: number): { start: number; step: number } | undefined {
  if (indices.op !== 'constant' || tensorOf(indices).shape.length !== 1) return undefined;
  const v = indices.attrs.data as Int32Array;
  if (v.length < 2 || v.some((i) => i < 0 || i >= size)) return undefined;
  const step = v[1] - v[0];
  return step !== 0 && v.every((i, k) => i === v[0] + k * step) ? { start: v[0], step } : undefined;
}

function gather(ctx: LowerCtx): void {
  const rank = ctx.inputShape(0).length;
  const axis = (Number(ctx.attrs.axis ?? 0) + rank) % rank;
  const even = evenSteps(ctx.node.inputs[1], ctx.inputShape(0)[axis]);
  if (!even) {
    ctx.w.emit('Gather', ctx.inputs, { axis: { i: axis } }, ctx.out);
    return;
  }
  const count = ctx.shape[axis];
  // A descending run that ends at index 0 needs an end before it: −(size+1) clamps to "before 0".
  const end = even.start + count * even.step;
  const stop = end < 0 ? -(ctx.inputShape(0)[axis] + 1) : end;
  ctx.w.emit('Slice', [ctx.inputs[0], i64(ctx, [even.start]), i64(ctx, [stop]), i64(ctx, [axis]), i64(ctx, [even.step])], {}, ctx.out);
}

function upsampleNearest(ctx: LowerCtx): void {
  const s = Number(ctx.attrs.scale ?? 2);
  const scales = ctx.w.constant('f32', [1, 1, s, s]);
  ctx.w.emit(
    'Resize',
    [ctx.inputs[0], '', scales],
    {
      mode: { s: 'nearest' },
      coordinate_transformation_mode: { s: 'asymmetric' },
      nearest_mode: { s: 'floor' },
    },
    ctx.out,
  );
}

export const SHAPE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  reshape: lower((ctx) => {
    ctx.w.emit('Reshape', [ctx.inputs[0], i64(ctx, ctx.shape)], {}, ctx.out);
  }),
  transpose: lower((ctx) => {
    ctx.w.emit('Transpose', ctx.inputs, { perm: { ints: ints(ctx.attrs.perm) } }, ctx.out);
  }),
  concat: lower((ctx) => {
    ctx.w.emit('Concat', ctx.inputs, { axis: { i: ctx.attrs.axis as number } }, ctx.out);
  }),
  slice: lower(slice),
  pad: lower(pad),
  gather: lower(gather),
  upsample_nearest: lower(upsampleNearest),
};
