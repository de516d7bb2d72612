/**
 * ONNX lowerings of conv2d (NCHW × OIHW, optional bias, symmetric padding) and avg_pool2d (no
 * padding, stride defaulting to the kernel). avg_pool2d and most convolutions map onto one ONNX node.
 *
 * A convolution whose window is larger than its output (the correlation of two images, which is what a
 * filter gradient is: batch as channels, dy as the kernel) lowers as one MatMul instead: onnxruntime's
 * Conv runs such a shape through im2col with a tiny GEMM and reaches ~9 GFLOP/s here. With the input
 * as rows X[(c,y,x), n] (one NHWC-like transpose) and the kernel laid on the input's padded canvas,
 * flattened to K[o, (c,y,x)], output position (p,q) reads X shifted by p·W+q rows; shifting K the other
 * way instead stacks every output position's kernel into one [oh·ow·O, C·H·W] operand of one GEMM.
 */
import { tensorOf } from '../../../compiler/core/ir/node.ts';
import { i64, ints, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';

/** Stride 1, no dilation, padding or groups, and fewer output positions than kernel taps. */
function isImageCorrelation(ctx: LowerCtx): boolean {
  const unit = (v: unknown, d: number): boolean => ints(v ?? [d, d]).every((x) => x === d);
  if (!unit(ctx.attrs.stride, 1) || !unit(ctx.attrs.dilation, 1) || !unit(ctx.attrs.pad, 0)) return false;
  if (Number(ctx.attrs.groups ?? 1) !== 1 || ctx.inputs.length !== 2 || tensorOf(ctx.node).dtype !== 'f32') return false;
  const [, , kh, kw] = ctx.inputShape(1);
  const [, , oh, ow] = ctx.shape;
  return oh * ow * 4 <= kh * kw;
}

function correlationAsMatMul(ctx: LowerCtx): void {
  const { w } = ctx;
  const [n, c, h, wd] = ctx.inputShape(0);
  const [o, , kh, kw] = ctx.inputShape(1);
  const [, , oh, ow] = ctx.shape;
  const m = c * h * wd;
  const rows = w.emit('Reshape', [w.emit('Transpose', [ctx.inputs[0]], { perm: { ints: [1, 2, 3, 0] } }), i64(ctx, [m, n])]);
  const canvas = w.emit('Pad', [ctx.inputs[1], i64(ctx, [0, 0, 0, 0, 0, 0, h - kh, wd - kw])], { mode: { s: 'constant' } });
  // Every kernel entry past m − maxShift is canvas padding, so dropping it at a shift is exact.
  const maxShift = (oh - 1) * wd + (ow - 1);
  const flat = w.emit('Pad', [w.emit('Reshape', [canvas, i64(ctx, [o, m])]), i64(ctx, [0, maxShift, 0, 0])], { mode: { s: 'constant' } });
  const shifted: string[] = [];
  for (let p = 0; p < oh; p++) {
    for (let q = 0; q < ow; q++) {
      const begin = maxShift - (p * wd + q);
      shifted.push(w.emit('Slice', [flat, i64(ctx, [begin]), i64(ctx, [begin + m]), i64(ctx, [1])]));
    }
  }
  const stacked = shifted.length === 1 ? shifted[0] : w.emit('Concat', shifted, { axis: { i: 0 } });
  const product = w.emit('Reshape', [w.emit('MatMul', [stacked, rows]), i64(ctx, [oh, ow, o, n])]);
  w.emit('Transpose', [product], { perm: { ints: [3, 2, 0, 1] } }, ctx.out);
}

export const CONV_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  conv2d: lower((ctx) => {
    if (isImageCorrelation(ctx)) return correlationAsMatMul(ctx);
    const [ph, pw] = ints(ctx.attrs.pad ?? [0, 0]);
    ctx.w.emit(
      'Conv',
      ctx.inputs,
      {
        strides: { ints: ints(ctx.attrs.stride ?? [1, 1]) },
        pads: { ints: [ph, pw, ph, pw] },
        dilations: { ints: ints(ctx.attrs.dilation ?? [1, 1]) },
        group: { i: Number(ctx.attrs.groups ?? 1) },
      },
      ctx.out,
    );
  }),
  avg_pool2d: lower((ctx) => {
    const kernel = ints(ctx.attrs.kernel ?? [2, 2]);
    ctx.w.emit('AveragePool', ctx.inputs, { kernel_shape: { ints: kernel }, strides: { ints: ints(ctx.attrs.stride ?? kernel) } }, ctx.out);
  }),
};
