/**
 * Lowerings of the reductions (sum, mean, reduce_max, variance, softmax) onto `stablehlo.reduce`.
 * Means divide by the count (as the reference does, rather than multiplying by its reciprocal) so
 * f32 results agree to the last bit wherever the summation order agrees.
 */
import { broadcastTo, lower, meanKeep, normAxis, reduceDims, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import type { Value } from '../writer.ts';

function axesOf(ctx: LowerCtx): number[] {
  const rank = ctx.inputs[0].type.shape.length;
  return (ctx.attrs.axes as readonly number[]).map((a) => normAxis(a, rank));
}

const keep = (ctx: LowerCtx): boolean => ctx.attrs.keepdims as boolean;

function mean(ctx: LowerCtx): Value {
  return ctx.w.reshape(meanKeep(ctx.w, ctx.inputs[0], axesOf(ctx)), ctx.out.shape);
}

/** Population variance, two-pass: mean((x - mean(x))²). */
function variance(ctx: LowerCtx): Value {
  const { w } = ctx;
  const x = ctx.inputs[0];
  const axes = axesOf(ctx);
  const centered = w.binary('subtract', x, broadcastTo(w, meanKeep(w, x, axes), x.type.shape));
  return w.reshape(meanKeep(w, w.binary('multiply', centered, centered), axes), ctx.out.shape);
}

function softmax(ctx: LowerCtx): Value {
  const { w } = ctx;
  const x = ctx.inputs[0];
  const axis = normAxis(ctx.attrs.axis as number, x.type.shape.length);
  const max = broadcastTo(w, reduceDims(w, x, [axis], 'maximum', true), x.type.shape);
  const e = w.unary('exponential', w.binary('subtract', x, max));
  return w.binary('divide', e, broadcastTo(w, reduceDims(w, e, [axis], 'add', true), x.type.shape));
}

export const REDUCE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  sum: lower((ctx) => reduceDims(ctx.w, ctx.inputs[0], axesOf(ctx), 'add', keep(ctx))),
  reduce_max: lower((ctx) => reduceDims(ctx.w, ctx.inputs[0], axesOf(ctx), 'maximum', keep(ctx))),
  mean: lower(mean),
  variance: lower(variance),
  softmax: lower(softmax),
};
