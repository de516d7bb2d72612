/**
 * conv2d (NCHW input, OIHW weight, optional bias, symmetric padding, stride, dilation, groups) and
 * avg_pool2d (no padding). Spatial sizes and channel counts must be static; the batch may be symbolic.
 *
 * Output size per spatial axis: floor((H + 2p − d·(k−1) − 1) / s) + 1.
 * FLOPs: conv 2·N·O·H'·W'·(C/groups)·kh·kw, plus N·O·H'·W' for the bias; pool kh·kw per output.
 */
import type { Attrs } from '../ir/node.ts';
import { formatShape, tensorType, type TensorType } from '../ir/types.ts';
import {
  attrInt, countElems, ioBytes, pairAttr, requireFloat, requireRank, requireSameDtype, staticDim,
} from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

/** One spatial output extent, or a readable failure when the window does not fit. */
function outExtent(axis: string, size: number, k: number, s: number, p: number, d: number): number {
  const span = d * (k - 1) + 1;
  const out = Math.floor((size + 2 * p - span) / s) + 1;
  shapeCheck(out >= 1, () => `kernel ${axis}=${k} (dilation ${d}, span ${span}) does not fit input ${axis}=${size} with pad ${p}`);
  return out;
}

interface ConvGeometry { c: number; o: number; kh: number; kw: number; oh: number; ow: number; groups: number }

function convGeometry(inputs: readonly TensorType[], a: Attrs): ConvGeometry {
  const [x, w, bias] = inputs;
  requireRank(x, 4, 'input', '[N,C,H,W]');
  requireRank(w, 4, 'weight', '[O,C/groups,kh,kw]');
  const groups = attrInt(a, 'groups');
  shapeCheck(groups >= 1, () => `groups must be >= 1, got ${groups}`);
  const [stride, pad, dil] = [pairAttr(a, 'stride', 1), pairAttr(a, 'pad', 0), pairAttr(a, 'dilation', 1)];
  const c = staticDim(x.shape[1], 'input channels C');
  const [o, cg, kh, kw] = w.shape.map((d, i) => staticDim(d, `weight dim ${i}`));
  shapeCheck(c === cg * groups, () => `input has ${c} channels but weight expects ${cg * groups} (groups=${groups})`);
  shapeCheck(o % groups === 0, () => `weight has ${o} output channels, not divisible by groups=${groups}`);
  if (bias) {
    shapeCheck(bias.shape.length === 1 && bias.shape[0] === o, () => `bias ${formatShape(bias.shape)} must be [${o}] (one per output channel)`);
  }
  const oh = outExtent('H', staticDim(x.shape[2], 'input H'), kh, stride[0], pad[0], dil[0]);
  const ow = outExtent('W', staticDim(x.shape[3], 'input W'), kw, stride[1], pad[1], dil[1]);
  return { c, o, kh, kw, oh, ow, groups };
}

defineOp({
  name: 'conv2d',
  summary: '2-D convolution, NCHW × OIHW (+ bias), symmetric pad, stride, dilation, groups',
  attrs: {
    stride: { kind: 'ints', default: [1, 1] },
    pad: { kind: 'ints', default: [0, 0], help: '[ph, pw], applied on both sides' },
    dilation: { kind: 'ints', default: [1, 1] },
    groups: { kind: 'int', default: 1 },
  },
  arity: [2, 3],
  fusion: 'out-fusable',
  inferType: (inputs, a) => {
    requireSameDtype(inputs[0], inputs[1], 'input and weight');
    requireFloat(inputs[0], 'input');
    if (inputs[2]) requireSameDtype(inputs[0], inputs[2], 'input and bias');
    const g = convGeometry(inputs, a);
    return tensorType(inputs[0].dtype, [inputs[0].shape[0], g.o, g.oh, g.ow]);
  },
  cost: (inputs, out, a) => {
    const g = convGeometry(inputs, a);
    const outElems = countElems(out.shape);
    const flops = 2 * outElems * (g.c / g.groups) * g.kh * g.kw + (inputs[2] ? outElems : 0);
    return { flops, bytes: ioBytes(inputs, out) };
  },
});

/** avg_pool2d's window and stride (the stride defaults to the window). */
export function poolWindow(a: Attrs): { kernel: [number, number]; stride: [number, number] } {
  const kernel = pairAttr(a, 'kernel', 1);
  return { kernel, stride: a.stride === undefined ? kernel : pairAttr(a, 'stride', 1) };
}

defineOp({
  name: 'avg_pool2d',
  summary: 'mean over kh×kw windows of [N,C,H,W], no padding (stride defaults to the kernel)',
  attrs: {
    kernel: { kind: 'ints', default: [2, 2] },
    stride: { kind: 'ints', optional: true, help: 'defaults to kernel' },
  },
  arity: 1,
  fusion: 'reduction',
  inferType: ([x], a) => {
    requireRank(x, 4, 'input', '[N,C,H,W]');
    requireFloat(x, 'input');
    const { kernel, stride } = poolWindow(a);
    const oh = outExtent('H', staticDim(x.shape[2], 'input H'), kernel[0], stride[0], 0, 1);
    const ow = outExtent('W', staticDim(x.shape[3], 'input W'), kernel[1], stride[1], 0, 1);
    return tensorType(x.dtype, [x.shape[0], x.shape[1], oh, ow]);
  },
  cost: (inputs, out, a) => {
    const { kernel } = poolWindow(a);
    return { flops: countElems(out.shape) * kernel[0] * kernel[1], bytes: ioBytes(inputs, out) };
  },
});
