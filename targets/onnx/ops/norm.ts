/**
 * ONNX lowerings of the normalizations. group_norm is InstanceNormalization over [N, G, C/G·spatial]
 * followed by the per-channel affine (opset 18's GroupNormalization takes per-group scales, which
 * onnxruntime and the spec disagreed on until opset 21); layer_norm and batch_norm map onto
 * LayerNormalization and inference-mode BatchNormalization.
 */
import { i64, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';

function groupNorm(ctx: LowerCtx): void {
  const { w, shape } = ctx;
  const [x, gamma, beta] = ctx.inputs;
  const groups = ctx.attrs.groups as number;
  const flat = w.emit('Reshape', [x, i64(ctx, [shape[0], groups, -1])]);
  const ones = w.constant('f32', Array(groups).fill(1)),
    zeros = w.constant('f32', Array(groups).fill(0));
  const normed = w.emit('InstanceNormalization', [flat, ones, zeros], { epsilon: { f: Number(ctx.attrs.eps ?? 1e-5) } });
  const back = w.emit('Reshape', [normed, i64(ctx, shape)]);
  const perChannel = i64(ctx, [shape[1], ...shape.slice(2).map(() => 1)]);
  w.emit('Add', [w.emit('Mul', [back, w.emit('Reshape', [gamma, perChannel])]), w.emit('Reshape', [beta, perChannel])], {}, ctx.out);
}

function layerNorm(ctx: LowerCtx): void {
  const [x, gamma, beta] = ctx.inputs;
  const d = ctx.shape[ctx.shape.length - 1];
  const scale = gamma ?? ctx.w.constant('f32', Array(d).fill(1));
  ctx.w.emit('LayerNormalization', beta ? [x, scale, beta] : [x, scale], { axis: { i: -1 }, epsilon: { f: Number(ctx.attrs.eps ?? 1e-5) } }, ctx.out);
}

export const NORM_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  group_norm: lower(groupNorm),
  layer_norm: lower(layerNorm),
  batch_norm: lower((ctx) => {
    const [x, mean, variance, gamma, beta] = ctx.inputs;
    ctx.w.emit('BatchNormalization', [x, gamma, beta, mean, variance], { epsilon: { f: Number(ctx.attrs.eps ?? 1e-5) } }, ctx.out);
  }),
};
