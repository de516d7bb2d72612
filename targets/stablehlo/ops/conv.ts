/**
 * Lowerings of conv2d onto `stablehlo.convolution` and avg_pool2d (a reshape + reduce when windows
 * tile the input, otherwise a depthwise convolution with a constant 1/(kh·kw) kernel).
 *
 * Convolutions run channels-last by default (option `convLayout`): NCHW/OIHW operands are transposed
 * to NHWC/HWIO around them, because XLA:CPU's fast convolution wants that order and does not reorder
 * it by itself inside a `while` body.
 */
import { channelBroadcast, full, lower, mxuPrecision, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { cropTo, LANES, padAxis, tiledExtent } from '../tile.ts';
import type { ElemType } from '../types.ts';
import type { ConvWindow, Precision, Value } from '../writer.ts';

/** An NCHW × OIHW convolution in the dimension order the options ask for; the result is NCHW. */
function convolve(ctx: LowerCtx, x: Value, k: Value, win: ConvWindow, elem: ElemType, precision: Precision): Value {
  const { w } = ctx;
  if (ctx.opts.convLayout === 'nchw') return w.convolution(x, k, win, elem, precision, 'nchw');
  const y = w.convolution(w.transpose(x, [0, 2, 3, 1]), w.transpose(k, [2, 3, 1, 0]), win, elem, precision, 'nhwc');
  return w.transpose(y, [0, 3, 1, 2]);
}

function conv2d(ctx: LowerCtx): Value {
  const { w, inputs, attrs, out } = ctx;
  let [x, k] = inputs;
  const groups = attrs.groups as number;
  if (ctx.opts.tile === 'tpu' && groups === 1) {
    const c = tiledExtent(x.type.shape[1], LANES);
    x = padAxis(w, x, 1, c);
    k = padAxis(w, padAxis(w, k, 1, c), 0, tiledExtent(k.type.shape[0], LANES));
  }
  const win = {
    stride: attrs.stride as [number, number],
    pad: attrs.pad as [number, number],
    rhsDilate: attrs.dilation as [number, number],
    groups,
  };
  const y = cropTo(w, convolve(ctx, ctx.mxu(x), ctx.mxu(k), win, 'f32', mxuPrecision(ctx)), out.shape);
  const withBias = inputs[2] ? w.binary('add', y, channelBroadcast(w, w.convert(inputs[2], 'f32'), y.type.shape)) : y;
  return w.convert(withBias, out.elem);
}

function avgPool2d(ctx: LowerCtx): Value {
  const { w, inputs, attrs, out } = ctx;
  const x = inputs[0];
  const [kh, kw] = attrs.kernel as [number, number];
  const [sh, sw] = (attrs.stride as [number, number] | undefined) ?? [kh, kw];
  const [n, c, oh, ow] = out.shape;
  let sum: Value;
  if (sh === kh && sw === kw) {
    const used = w.slice(x, [0, 0, 0, 0], [n, c, oh * kh, ow * kw]);
    sum = w.reduce(w.reshape(used, [n, c, oh, kh, ow, kw]), w.splat(0, x.type.elem), 'add', [3, 5]);
  } else {
    const ones = w.splat(1, x.type.elem, [c, 1, kh, kw]);
    sum = convolve(ctx, x, ones, { stride: [sh, sw], pad: [0, 0], rhsDilate: [1, 1], groups: c }, x.type.elem, 'HIGHEST');
  }
  return w.binary('divide', sum, full(w, kh * kw, sum.type));
}

export const CONV_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  conv2d: lower(conv2d, [0, 1]),
  avg_pool2d: lower(avgPool2d),
};
