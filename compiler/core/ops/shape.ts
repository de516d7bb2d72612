/**
 * Data-movement ops: reshape, transpose, concat, slice, pad, gather, upsample_nearest. Each output
 * element reads one input element (fusion kind `injective`); they cost no FLOPs, only bytes.
 *
 * slice follows Python indexing: negative begin/end count from the end and both clamp to [0, dim];
 * an end of SLICE_END (or any value past the dim) means "to the end". A symbolic axis can only be
 * kept whole (begin 0, end SLICE_END, step 1), because its extent is unknown until dims are bound.
 */
import { tensorOf, type Attrs, type Node } from '../ir/node.ts';
import { formatShape, symbolicNumel, tensorType, type Dim, type Shape, type TensorType } from '../ir/types.ts';
import { attrDims, attrInt, attrInts, ioBytes, normAxis, requireDtype, requireRank, staticDim } from './common.ts';
import { defineOp, ShapeError, shapeCheck, type OpCost } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

/** The `end` that keeps an axis to its end, whatever its size. */
export const SLICE_END = 2147483647;

const moveCost = (inputs: readonly TensorType[], out: TensorType): OpCost => ({ flops: 0, bytes: ioBytes(inputs, out) });

function describeNumel(shape: Shape): string {
  const { factor, symbols } = symbolicNumel(shape);
  return [String(factor), ...symbols].join('·');
}

function inferReshape(x: TensorType, a: Attrs): TensorType {
  const shape = attrDims(a, 'shape');
  for (const d of shape) {
    shapeCheck(typeof d === 'string' || d >= 0, () => `shape ${formatShape(shape)} has ${d}; reshape needs every dim spelled out`);
  }
  const from = symbolicNumel(x.shape),
    to = symbolicNumel(shape);
  shapeCheck(
    from.factor === to.factor && from.symbols.join(',') === to.symbols.join(','),
    () => `cannot reshape ${formatShape(x.shape)} (${describeNumel(x.shape)} elements) to ${formatShape(shape)} (${describeNumel(shape)} elements)`,
  );
  return tensorType(x.dtype, shape);
}

defineOp({
  name: 'reshape',
  summary: 'same elements in row-major order, new shape (element counts must match, symbols included)',
  attrs: { shape: { kind: 'dims' } },
  arity: 1,
  fusion: 'injective',
  inferType: ([x], a) => inferReshape(x, a),
  cost: moveCost,
  vjp: (g, node, dy) => [g.op('reshape', [dy], { shape: tensorOf(node.inputs[0]).shape })],
});

defineOp({
  name: 'transpose',
  summary: 'permutes axes: out.shape[i] = x.shape[perm[i]]',
  attrs: { perm: { kind: 'ints' } },
  arity: 1,
  fusion: 'injective',
  inferType: ([x], a) => {
    const perm = attrInts(a, 'perm');
    const sorted = [...perm].sort((p, q) => p - q);
    shapeCheck(
      perm.length === x.shape.length && sorted.every((p, i) => p === i),
      () => `perm [${perm.join(', ')}] is not a permutation of the ${x.shape.length} axes of ${formatShape(x.shape)}`,
    );
    return tensorType(
      x.dtype,
      perm.map((p) => x.shape[p]),
    );
  },
  cost: moveCost,
  vjp: (g, node, dy) => {
    const perm = attrInts(node.attrs, 'perm');
    return [g.op('transpose', [dy], { perm: perm.map((_, i) => perm.indexOf(i)) })];
  },
});

function inferConcat(inputs: readonly TensorType[], a: Attrs): TensorType {
  shapeCheck(inputs.length >= 1, 'needs at least one input');
  const first = inputs[0];
  const axis = normAxis(attrInt(a, 'axis'), first.shape.length);
  inputs.forEach((t, i) => {
    shapeCheck(t.dtype === first.dtype, () => `input ${i} is ${t.dtype} but input 0 is ${first.dtype}`);
    shapeCheck(
      t.shape.length === first.shape.length && t.shape.every((d, j) => j === axis || d === first.shape[j]),
      () => `input ${i} ${formatShape(t.shape)} does not match input 0 ${formatShape(first.shape)} off axis ${axis}`,
    );
  });
  const sizes = inputs.map((t) => t.shape[axis]);
  let total: Dim = sizes[0];
  if (inputs.length > 1) {
    total = sizes.reduce<number>((s, d, i) => s + staticDim(d, `axis ${axis} of input ${i}`), 0);
  }
  return tensorType(
    first.dtype,
    first.shape.map((d, j) => (j === axis ? total : d)),
  );
}

defineOp({
  name: 'concat',
  summary: 'joins inputs along `axis`; other dims must match',
  attrs: { axis: { kind: 'int' } },
  arity: 'variadic',
  fusion: 'injective',
  inferType: inferConcat,
  cost: moveCost,
  vjp: concatVjp,
});

interface SliceAxis {
  begin: number;
  end: number;
  step: number;
}

/** Python-style bounds on a static axis of size `dim`. */
export function clampSlice(dim: number, begin: number, end: number, step: number): SliceAxis {
  const norm = (v: number): number => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
  return { begin: norm(begin), end: norm(end), step };
}

/** begin, end and step, each checked to have one value per axis; steps must be >= 1. */
export function sliceAttrs(a: Attrs, rank: number): { begin: number[]; end: number[]; step: number[] } {
  const begin = attrInts(a, 'begin'),
    end = attrInts(a, 'end'),
    step = attrInts(a, 'step');
  for (const [key, v] of [
    ['begin', begin],
    ['end', end],
    ['step', step],
  ] as const) {
    shapeCheck(v.length === rank, () => `${key} has ${v.length} values but the input has rank ${rank}`);
  }
  shapeCheck(
    step.every((s) => s >= 1),
    () => `step values must be >= 1, got [${step.join(', ')}]`,
  );
  return { begin, end, step };
}

function inferSlice(x: TensorType, a: Attrs): TensorType {
  const { begin, end, step } = sliceAttrs(a, x.shape.length);
  const shape = x.shape.map((d, i): Dim => {
    if (typeof d === 'string') {
      shapeCheck(
        begin[i] === 0 && end[i] === SLICE_END && step[i] === 1,
        () => `axis ${i} has symbolic size '${d}'; only the whole axis (begin 0, end ${SLICE_END}, step 1) can be kept`,
      );
      return d;
    }
    const s = clampSlice(d, begin[i], end[i], step[i]);
    const n = Math.ceil((s.end - s.begin) / s.step);
    shapeCheck(n >= 1, () => `axis ${i} (size ${d}) is empty after slicing ${begin[i]}:${end[i]}:${step[i]}`);
    return n;
  });
  return tensorType(x.dtype, shape);
}

defineOp({
  name: 'slice',
  summary: 'x[begin:end:step] per axis (static, end exclusive, Python bounds)',
  attrs: { begin: { kind: 'ints' }, end: { kind: 'ints' }, step: { kind: 'ints' } },
  arity: 1,
  fusion: 'injective',
  inferType: ([x], a) => inferSlice(x, a),
  cost: moveCost,
  vjp: sliceVjp,
});

/** pads as [before, after] per axis, checked against the rank and for negative values. */
export function padPairs(a: Attrs, rank: number): [number, number][] {
  const pads = attrInts(a, 'pads');
  shapeCheck(pads.length === 2 * rank, () => `pads has ${pads.length} values but rank ${rank} needs ${2 * rank} (before, after per axis)`);
  shapeCheck(
    pads.every((p) => p >= 0),
    () => `pads must be >= 0, got [${pads.join(', ')}]`,
  );
  return Array.from({ length: rank }, (_, i) => [pads[2 * i], pads[2 * i + 1]]);
}

defineOp({
  name: 'pad',
  summary: 'pads each axis with `value`: pads = [before0, after0, before1, after1, ...]',
  attrs: { pads: { kind: 'ints' }, value: { kind: 'float', default: 0 } },
  arity: 1,
  fusion: 'injective',
  inferType: ([x], a) => {
    const pairs = padPairs(a, x.shape.length);
    const shape = x.shape.map((d, i) => {
      const [lo, hi] = pairs[i];
      if (lo === 0 && hi === 0) return d;
      return staticDim(d, `padded axis ${i}`) + lo + hi;
    });
    return tensorType(x.dtype, shape);
  },
  cost: moveCost,
  vjp: padVjp,
});

defineOp({
  name: 'gather',
  summary: 'picks slices of data along `axis` at integer indices',
  attrs: { axis: { kind: 'int', default: 0 } },
  arity: 2,
  fusion: 'injective',
  inferType: ([data, indices], a) => {
    requireDtype(indices, 'i32', 'indices');
    const axis = normAxis(attrInt(a, 'axis'), data.shape.length);
    return tensorType(data.dtype, [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)]);
  },
  cost: moveCost,
  vjp: gatherVjp,
});

defineOp({
  name: 'upsample_nearest',
  summary: 'repeats every pixel scale×scale times: [N,C,H,W] → [N,C,H·s,W·s]',
  attrs: { scale: { kind: 'int', default: 2 } },
  arity: 1,
  fusion: 'injective',
  inferType: ([x], a) => {
    requireRank(x, 4, 'x', '[N,C,H,W]');
    const s = attrInt(a, 'scale');
    shapeCheck(s >= 1, () => `scale must be >= 1, got ${s}`);
    const [n, c, h, w] = x.shape;
    return tensorType(x.dtype, [n, c, staticDim(h, 'H') * s, staticDim(w, 'W') * s]);
  },
  cost: moveCost,
  vjp: upsampleVjp,
});

// ── reverse mode ──────────────────────────────────────────────────────────────────────────────────
// Data movement is linear, so each cotangent moves dy back: reshape and transpose invert, slices of
// a concat's dy, a slice's dy padded (spread first when strided), a pad's dy sliced, a gather's dy
// summed per index by a one-hot matmul, an upsample's dy summed per block.

/** `t` with step−1 zeros after each element along `axis` (length n·step): a strided write's inverse. */
export function spreadAxis(g: VjpBuilder, t: Node, axis: number, step: number): Node {
  if (step === 1) return t;
  const shape = tensorOf(t).shape;
  const split = [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)];
  const pads = split.flatMap((_, i) => (i === axis + 1 ? [0, step - 1] : [0, 0]));
  const padded = g.op('pad', [g.op('reshape', [t], { shape: split })], { pads });
  const n = staticDim(shape[axis], `strided axis ${axis}`);
  return g.op('reshape', [padded], { shape: shape.map((d, i) => (i === axis ? n * step : d)) });
}

function sliceVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const x = tensorOf(node.inputs[0]);
  const { begin, end, step } = sliceAttrs(node.attrs, x.shape.length);
  let t = dy;
  const pads: number[] = [];
  x.shape.forEach((d, i) => {
    if (typeof d === 'string') {
      pads.push(0, 0);
      return;
    }
    const c = clampSlice(d, begin[i], end[i], step[i]);
    t = spreadAxis(g, t, i, c.step);
    const len = staticDim(tensorOf(t).shape[i], `axis ${i}`);
    const keep = Math.min(len, d - c.begin);
    if (keep < len) {
      const shape = tensorOf(t).shape;
      t = g.op('slice', [t], { begin: shape.map(() => 0), end: shape.map((_, j) => (j === i ? keep : SLICE_END)), step: shape.map(() => 1) });
    }
    pads.push(c.begin, d - c.begin - keep);
  });
  return [pads.some((p) => p > 0) ? g.op('pad', [t], { pads }) : t];
}

function concatVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const shape = tensorOf(node).shape;
  const axis = normAxis(attrInt(node.attrs, 'axis'), shape.length);
  let at = 0;
  return node.inputs.map((input) => {
    const size = staticDim(tensorOf(input).shape[axis], `axis ${axis}`);
    const begin = shape.map((_, j) => (j === axis ? at : 0));
    const end = shape.map((_, j) => (j === axis ? at + size : SLICE_END));
    at += size;
    return g.op('slice', [dy], { begin, end, step: shape.map(() => 1) });
  });
}

function padVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const x = tensorOf(node.inputs[0]);
  const pairs = padPairs(node.attrs, x.shape.length);
  const end = x.shape.map((d, i) => (typeof d === 'number' ? pairs[i][0] + d : SLICE_END));
  return [g.op('slice', [dy], { begin: pairs.map(([lo]) => lo), end, step: x.shape.map(() => 1) })];
}

/** d table = onehot(indices)ᵀ · dy: a scatter-add written as a matmul (only along axis 0). */
function gatherVjp(g: VjpBuilder, node: Node, dy: Node): (Node | undefined)[] {
  const [data, indices] = node.inputs;
  const dt = tensorOf(data);
  if (normAxis(attrInt(node.attrs, 'axis'), dt.shape.length) !== 0) g.unsupported('gather is differentiated along axis 0 only');
  const rows = staticDim(dt.shape[0], 'gathered axis');
  const rest = dt.shape.slice(1).map((d, i) => staticDim(d, `data axis ${i + 1}`));
  const width = rest.reduce((p, d) => p * d, 1);
  const ids = g.op('reshape', [indices], { shape: [...tensorOf(indices).shape, 1] });
  const hot = g.op(
    'cast',
    [
      g.op('equal', [
        ids,
        g.ints(
          Array.from({ length: rows }, (_, i) => i),
          [rows],
        ),
      ]),
    ],
    { dtype: dt.dtype },
  );
  const count = symbolicCount(tensorOf(indices).shape);
  const flatHot = g.op('reshape', [hot], { shape: [...count, rows] });
  const flatDy = g.op('reshape', [dy], { shape: [...count, width] });
  const table = g.op('matmul', [flatHot, flatDy], { transposeA: true });
  return [g.op('reshape', [table], { shape: dt.shape }), undefined];
}

/** A shape's element count as one dim: a number, or a single symbol times 1 (e.g. B). */
function symbolicCount(shape: Shape): Dim[] {
  const { factor, symbols } = symbolicNumel(shape);
  if (symbols.length > 1) throw new ShapeError(`indices of shape ${formatShape(shape)} have more than one symbolic dim`);
  return symbols.length ? (factor === 1 ? [symbols[0]] : [symbols[0], factor]) : [factor];
}

function upsampleVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const [n, c, h, w] = tensorOf(node.inputs[0]).shape;
  const s = attrInt(node.attrs, 'scale');
  const blocks = g.op('reshape', [dy], { shape: [n, c, h, s, w, s] });
  return [g.op('sum', [blocks], { axes: [3, 5] })];
}
