/**
 * Lowerings of the matrix-unit ops: matmul and attention onto `stablehlo.dot_general`, conv2d onto
 * `stablehlo.convolution`, and avg_pool2d (a reshape + reduce when windows tile the input, otherwise a
 * depthwise convolution with a constant 1/(kh·kw) kernel).
 *
 * Precision: under 'f32' every dot/conv asks for HIGHEST (on a TPU, DEFAULT would silently run one
 * bf16 pass); under 'bf16' operands are converted to bf16 and the result type stays f32, which is how
 * StableHLO spells bf16 multiplies with f32 accumulation (`preferred_element_type = f32` in JAX).
 *
 * Convolutions run channels-last by default (option `convLayout`): NCHW/OIHW operands are transposed
 * to NHWC/HWIO around them, because XLA:CPU's fast convolution wants that order and does not reorder
 * it by itself inside a `while` body.
 */
import {
  broadcastTo, channelBroadcast, full, lower, mxuPrecision, reduceDims, type LowerCtx, type LoweringEntry,
} from './lower-context.ts';
import { cropTo, LANES, padAxis, SUBLANES, tiledExtent } from './tile.ts';
import type { ConvWindow, Precision, Value } from './writer.ts';
import type { ElemType } from './types.ts';

interface MatmulOperands {
  a: Value;
  b: Value;
  /** Axes of a and b holding M, K (in a) and K, N (in b). */
  aM: number; aK: number; bK: number; bN: number;
  batch: number[];
}

/**
 * Arranges matmul operands for dot_general. A rank-2 right operand (a weight [K, N]) is contracted
 * directly against every leading dim of `a`, so weights are never broadcast over the batch.
 */
function matmulOperands(ctx: LowerCtx): MatmulOperands {
  const { w, inputs, out, attrs } = ctx;
  const ta = attrs.transposeA as boolean, tb = attrs.transposeB as boolean;
  let [a, b] = inputs;
  const rank = out.shape.length;
  if (b.type.shape.length === 2 && !ta) {
    const ra = a.type.shape.length;
    return { a, b, aM: ra - 2, aK: ra - 1, bK: tb ? 1 : 0, bN: tb ? 0 : 1, batch: [] };
  }
  const batchShape = out.shape.slice(0, rank - 2);
  a = broadcastTo(w, a, [...batchShape, ...a.type.shape.slice(-2)]);
  b = broadcastTo(w, b, [...batchShape, ...b.type.shape.slice(-2)]);
  const nb = batchShape.length;
  return {
    a, b, aM: ta ? nb + 1 : nb, aK: ta ? nb : nb + 1, bK: tb ? nb + 1 : nb, bN: tb ? nb : nb + 1,
    batch: [...Array(nb).keys()],
  };
}

function matmul(ctx: LowerCtx): Value {
  const { w, out } = ctx;
  const ops = matmulOperands(ctx);
  const { aM, aK, bK, bN, batch } = ops;
  let { a, b } = ops;
  if (ctx.opts.tile === 'tpu') {
    const k = tiledExtent(a.type.shape[aK], LANES);
    a = padAxis(w, padAxis(w, a, aK, k), aM, tiledExtent(a.type.shape[aM], SUBLANES));
    b = padAxis(w, padAxis(w, b, bK, k), bN, tiledExtent(b.type.shape[bN], LANES));
  }
  const r = w.dotGeneral(ctx.mxu(a), ctx.mxu(b), { lhsBatch: batch, rhsBatch: batch, lhsContract: [aK], rhsContract: [bK] },
    'f32', mxuPrecision(ctx));
  return w.convert(cropTo(w, r, out.shape), out.elem);
}

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
    stride: attrs.stride as [number, number], pad: attrs.pad as [number, number],
    rhsDilate: attrs.dilation as [number, number], groups,
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

/** softmax(q·kᵀ·scale)·v with heads as dot_general batch dims. */
function attention(ctx: LowerCtx): Value {
  const { w, inputs, out, attrs } = ctx;
  const nb = out.shape.length - 2;
  const batch = out.shape.slice(0, nb);
  const [q, k, v] = inputs.map((t) => broadcastTo(w, t, [...batch, ...t.type.shape.slice(-2)]));
  const dims = [...Array(nb).keys()];
  const d = q.type.shape[nb + 1];
  const scale = (attrs.scale as number) === 0 ? 1 / Math.sqrt(d) : (attrs.scale as number);
  const raw = w.dotGeneral(ctx.mxu(q), ctx.mxu(k), { lhsBatch: dims, rhsBatch: dims, lhsContract: [nb + 1], rhsContract: [nb + 1] },
    'f32', mxuPrecision(ctx));
  const scores = w.binary('multiply', raw, full(w, scale, raw.type));
  const max = broadcastTo(w, reduceDims(w, scores, [nb + 1], 'maximum', true), scores.type.shape);
  const e = w.unary('exponential', w.binary('subtract', scores, max));
  const p = w.binary('divide', e, broadcastTo(w, reduceDims(w, e, [nb + 1], 'add', true), e.type.shape));
  const r = w.dotGeneral(ctx.mxu(p), ctx.mxu(v), { lhsBatch: dims, rhsBatch: dims, lhsContract: [nb + 1], rhsContract: [nb] },
    'f32', mxuPrecision(ctx));
  return w.convert(r, out.elem);
}

export const LINALG_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  matmul: lower(matmul, [0, 1]),
  conv2d: lower(conv2d, [0, 1]),
  attention: lower(attention, [0, 1, 2]),
  avg_pool2d: lower(avgPool2d),
};
