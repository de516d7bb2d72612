/**
 * conv2d (NCHW input, OIHW weight, optional bias, symmetric padding, stride, dilation, groups) and
 * avg_pool2d (no padding). Spatial sizes and channel counts must be static; the batch may be symbolic.
 *
 * Output size per spatial axis: floor((H + 2p − d·(k−1) − 1) / s) + 1.
 * FLOPs: conv 2·N·O·H'·W'·(C/groups)·kh·kw, plus N·O·H'·W' for the bias; pool kh·kw per output.
 */
import { tensorOf, type Attrs, type Node } from '../ir/node.ts';
import { formatShape, tensorType, type TensorType } from '../ir/types.ts';
import { attrInt, countElems, ioBytes, pairAttr, requireFloat, requireRank, requireSameDtype, staticDim } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';
import { SLICE_END, spreadAxis } from './shape.ts';
import type { VjpBuilder } from './vjp.ts';

/** One spatial output extent, or a readable failure when the window does not fit. */
function outExtent(axis: string, size: number, k: number, s: number, p: number, d: number): number {
  const span = d * (k - 1) + 1;
  const out = Math.floor((size + 2 * p - span) / s) + 1;
  shapeCheck(out >= 1, () => `kernel ${axis}=${k} (dilation ${d}, span ${span}) does not fit input ${axis}=${size} with pad ${p}`);
  return out;
}

interface ConvGeometry {
  c: number;
  o: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  groups: number;
}

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

// ── reverse mode ──────────────────────────────────────────────────────────────────────────────────
// Both cotangents of a convolution are convolutions (Dumoulin & Visin 2016, "A guide to convolution
// arithmetic"): the input's is a full correlation of dy, spread by the stride, with the flipped,
// group-transposed kernel; the filter's correlates the padded input with dy, batch taking the place of
// channels (so the batch must be static), one group at a time. avg_pool2d is a depthwise convolution
// with a constant kernel and is differentiated through that form.

const slice4 = (g: VjpBuilder, t: Node, begin: readonly number[], end: readonly number[]): Node =>
  g.op('slice', [t], { begin, end, step: [1, 1, 1, 1] });

/** Reverses `axis` of a static axis of size n (a gather with descending indices). */
function flip(g: VjpBuilder, t: Node, axis: number, n: number): Node {
  return g.op(
    'gather',
    [
      t,
      g.ints(
        Array.from({ length: n }, (_, i) => n - 1 - i),
        [n],
      ),
    ],
    { axis },
  );
}

/** Pads or crops `axis` at its end so that it has `size` elements. */
function fitAxis(g: VjpBuilder, t: Node, axis: number, size: number): Node {
  const len = staticDim(tensorOf(t).shape[axis], `axis ${axis}`);
  if (len === size) return t;
  if (len > size)
    return slice4(
      g,
      t,
      [0, 0, 0, 0],
      [0, 1, 2, 3].map((i) => (i === axis ? size : SLICE_END)),
    );
  return g.op('pad', [t], { pads: [0, 1, 2, 3].flatMap((i) => (i === axis ? [0, size - len] : [0, 0])) });
}

function convInputVjp(g: VjpBuilder, x: Node, w: Node, dy: Node, a: Attrs): Node {
  const [stride, pad, dil] = [pairAttr(a, 'stride', 1), pairAttr(a, 'pad', 0), pairAttr(a, 'dilation', 1)];
  const groups = attrInt(a, 'groups');
  const [o, cg, kh, kw] = tensorOf(w).shape.map((d, i) => staticDim(d, `weight dim ${i}`));
  const [, , h, wd] = tensorOf(x).shape.map((d, i) => (i < 1 ? 0 : staticDim(d, `input dim ${i}`)));
  const og = o / groups;
  const byGroup = g.op('reshape', [w], { shape: [groups, og, cg, kh, kw] });
  const swapped = g.op('reshape', [g.op('transpose', [byGroup], { perm: [0, 2, 1, 3, 4] })], { shape: [groups * cg, og, kh, kw] });
  const kernel = flip(g, flip(g, swapped, 2, kh), 3, kw);
  const full = [dil[0] * (kh - 1), dil[1] * (kw - 1)];
  // At stride 1 the full correlation, cropped by the forward padding, is one correlation padded by less.
  if (stride[0] === 1 && stride[1] === 1 && pad[0] <= full[0] && pad[1] <= full[1]) {
    return g.op('conv2d', [dy, kernel], { pad: [full[0] - pad[0], full[1] - pad[1]], dilation: dil, groups });
  }
  const spread = spreadAxis(g, spreadAxis(g, dy, 2, stride[0]), 3, stride[1]);
  const whole = g.op('conv2d', [spread, kernel], { pad: full, dilation: dil, groups });
  const rows = fitAxis(g, whole, 2, pad[0] + h),
    cols = fitAxis(g, rows, 3, pad[1] + wd);
  return slice4(g, cols, [0, 0, pad[0], pad[1]], [SLICE_END, SLICE_END, pad[0] + h, pad[1] + wd]);
}

function convFilterVjp(g: VjpBuilder, x: Node, w: Node, dy: Node, a: Attrs): Node {
  const [stride, pad, dil] = [pairAttr(a, 'stride', 1), pairAttr(a, 'pad', 0), pairAttr(a, 'dilation', 1)];
  const groups = attrInt(a, 'groups');
  const [o, cg, kh, kw] = tensorOf(w).shape.map((d, i) => staticDim(d, `weight dim ${i}`));
  if (typeof tensorOf(x).shape[0] !== 'number') g.unsupported('the filter gradient of conv2d needs a static batch: bind B first');
  const padded = pad[0] || pad[1] ? g.op('pad', [x], { pads: [0, 0, 0, 0, pad[0], pad[0], pad[1], pad[1]] }) : x;
  const og = o / groups;
  const parts = Array.from({ length: groups }, (_, k) => {
    const xg = slice4(g, padded, [0, k * cg, 0, 0], [SLICE_END, (k + 1) * cg, SLICE_END, SLICE_END]);
    const dyg = slice4(g, dy, [0, k * og, 0, 0], [SLICE_END, (k + 1) * og, SLICE_END, SLICE_END]);
    const swap = (t: Node): Node => g.op('transpose', [t], { perm: [1, 0, 2, 3] });
    const corr = g.op('conv2d', [swap(xg), swap(dyg)], { stride: dil, dilation: stride });
    return swap(slice4(g, corr, [0, 0, 0, 0], [SLICE_END, SLICE_END, kh, kw]));
  });
  return groups === 1 ? parts[0] : g.op('concat', parts, { axis: 0 });
}

function conv2dVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const [x, w, bias] = node.inputs;
  const grads = [convInputVjp(g, x, w, dy, node.attrs), convFilterVjp(g, x, w, dy, node.attrs)];
  return bias ? [...grads, g.op('sum', [dy], { axes: [0, 2, 3] })] : grads;
}

function avgPoolVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const { kernel, stride } = poolWindow(node.attrs);
  const c = staticDim(tensorOf(node.inputs[0]).shape[1], 'input channels C');
  const ones = g.op('reshape', [g.floats(new Float32Array(c * kernel[0] * kernel[1]).fill(1 / (kernel[0] * kernel[1])))], {
    shape: [c, 1, kernel[0], kernel[1]],
  });
  const [dx] = g.through((x) => g.op('conv2d', [x, ones], { stride, groups: c }), node.inputs, dy);
  return [dx!];
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
  vjp: conv2dVjp,
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
  vjp: avgPoolVjp,
});
