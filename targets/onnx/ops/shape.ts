/**
 * ONNX lowerings of the shape ops. Shapes are static, so reshape and broadcast targets are int64
 * constants. pad reorders the IR's [before0, after0, …] into ONNX's [befores…, afters…];
 * upsample_nearest is Resize with integer scales, asymmetric coordinates and floor rounding, which
 * picks input pixel ⌊o/s⌋ for output pixel o.
 */
import { i64, ints, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { tensorOf } from '../../../compiler/core/ir/node.ts';

function pad(ctx: LowerCtx): void {
  const p = ints(ctx.attrs.pads);
  const pads = [...p.filter((_, i) => i % 2 === 0), ...p.filter((_, i) => i % 2 === 1)];
  const value = Number(ctx.attrs.value ?? 0);
  const dtype = tensorOf(ctx.node).dtype === 'i32' ? 'i32' : 'f32';
  ctx.w.emit('Pad', [ctx.inputs[0], i64(ctx, pads), ctx.w.constant(dtype, [value], [])], { mode: { s: 'constant' } }, ctx.out);
}

function slice(ctx: LowerCtx): void {
  const begin = ints(ctx.attrs.begin);
  const axes = begin.map((_, i) => i);
  ctx.w.emit('Slice', [ctx.inputs[0], i64(ctx, begin), i64(ctx, ints(ctx.attrs.end)), i64(ctx, axes), i64(ctx, ints(ctx.attrs.step))], {}, ctx.out);
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
  gather: lower((ctx) => {
    ctx.w.emit('Gather', ctx.inputs, { axis: { i: Number(ctx.attrs.axis ?? 0) } }, ctx.out);
  }),
  upsample_nearest: lower(upsampleNearest),
};
