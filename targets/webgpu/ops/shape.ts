/**
 * WGSL expressions for the data-movement ops: reshape, transpose, slice, pad, concat, gather,
 * upsample_nearest. A data-movement op never touches memory itself: it maps the output index to an
 * input index and asks the writer for the input there, so chains of them fuse for free.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import { tensorOf } from '../../../compiler/core/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { lit, staticShape, stridesOf, valueType } from '../wgsl-util.ts';
import { expr, ints, type LoweringTable } from '../lower-context.ts';

/** Maps an index through a reshape; squeezes/unsqueezes map directly, anything else via the flat index. */
function reshapeIndex(w: KernelWriter, from: readonly number[], to: readonly number[], idx: readonly string[]): string[] {
  const nonOneOut = idx.filter((_, d) => to[d] !== 1);
  const fromNonOne = from.filter((d) => d !== 1);
  if (fromNonOne.length === nonOneOut.length && fromNonOne.every((d, i) => d === to.filter((x) => x !== 1)[i])) {
    let k = 0;
    return from.map((d) => (d === 1 ? '0u' : nonOneOut[k++]));
  }
  const flat = w.let(w.offset(to, idx), 'f');
  const strides = stridesOf(from);
  return from.map((d, i) => {
    if (d === 1) return '0u';
    const q = strides[i] === 1 ? flat : `(${flat} / ${strides[i]}u)`;
    return w.let(i === 0 ? q : `${q} % ${d}u`, 'r');
  });
}

/** Python-style slice start on an axis of size `dim` (see compiler/core/ops/shape.ts). */
function sliceStart(begin: number, dim: number): number {
  return Math.min(dim, Math.max(0, begin < 0 ? begin + dim : begin));
}

function emitPad(w: KernelWriter, node: Node, idx: readonly string[]): string {
  const x = node.inputs[0];
  const shape = staticShape(x);
  const pads = ints(node, 'pads');
  const conds: string[] = [];
  const inner = shape.map((d, i) => {
    const lo = pads[2 * i],
      hi = pads[2 * i + 1];
    if (lo === 0 && hi === 0) return idx[i];
    const s = w.let(`i32(${idx[i]}) - ${lo}i`, 'p');
    conds.push(`(${s} >= 0i && ${s} < ${d}i)`);
    return w.let(`u32(clamp(${s}, 0i, ${d - 1}i))`, 'p');
  });
  const v = w.value(x, inner);
  if (!conds.length) return v;
  return `select(${lit(node.attrs.value as number, valueType(tensorOf(node).dtype))}, ${v}, ${conds.join(' && ')})`;
}

function emitConcat(w: KernelWriter, node: Node, idx: readonly string[]): string {
  const rank = idx.length;
  const axis = ((node.attrs.axis as number) + rank) % rank;
  let start = 0;
  const parts = node.inputs.map((x) => {
    const n = staticShape(x)[axis];
    const local = start === 0 ? idx[axis] : w.let(`select(0u, ${idx[axis]} - ${start}u, ${idx[axis]} >= ${start}u)`, 'q');
    const at = idx.map((e, d) => (d === axis ? w.let(`min(${local}, ${n - 1}u)`, 'q') : e));
    start += n;
    return { value: w.value(x, at), end: start };
  });
  let result = parts[parts.length - 1].value;
  for (let k = parts.length - 2; k >= 0; k--) result = `select(${result}, ${parts[k].value}, ${idx[axis]} < ${parts[k].end}u)`;
  return result;
}

function emitGather(w: KernelWriter, node: Node, idx: readonly string[]): string {
  const [data, indices] = node.inputs;
  const dshape = staticShape(data);
  const axis = ((node.attrs.axis as number) + dshape.length) % dshape.length;
  const r = staticShape(indices).length;
  const k = w.value(indices, idx.slice(axis, axis + r));
  const at = w.let(`u32(clamp(${k}, 0i, ${dshape[axis] - 1}i))`, 'g');
  return w.value(data, [...idx.slice(0, axis), at, ...idx.slice(axis + r)]);
}

export const SHAPE_LOWERINGS: LoweringTable = {
  reshape: expr((w, node, idx) => w.value(node.inputs[0], reshapeIndex(w, staticShape(node.inputs[0]), staticShape(node), idx))),
  transpose: expr((w, node, idx) => {
    const perm = ints(node, 'perm');
    const at = new Array<string>(perm.length);
    perm.forEach((p, i) => {
      at[p] = idx[i];
    });
    return w.value(node.inputs[0], at);
  }),
  slice: expr((w, node, idx) => {
    const shape = staticShape(node.inputs[0]);
    const begin = ints(node, 'begin'),
      step = ints(node, 'step');
    return w.value(
      node.inputs[0],
      shape.map((d, i) => {
        const b = sliceStart(begin[i], d);
        if (step[i] === 1 && b === 0) return idx[i];
        return w.let(`${idx[i]} * ${step[i]}u + ${b}u`, 's');
      }),
    );
  }),
  pad: expr(emitPad),
  concat: expr(emitConcat),
  gather: expr(emitGather),
  upsample_nearest: expr((w, node, idx) => {
    const s = node.attrs.scale as number;
    return w.value(node.inputs[0], [idx[0], idx[1], w.let(`${idx[2]} / ${s}u`, 'u'), w.let(`${idx[3]} / ${s}u`, 'u')]);
  }),
};
