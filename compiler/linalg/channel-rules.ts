/**
 * How each op couples the channel axes of its inputs and output, for structured pruning: given a
 * channel segment on one port (an input or the output), the segments on the other ports that must
 * lose the same channels. A segment is (axis, offset, block): unit u covers indices
 * [offset + u·block, offset + (u+1)·block) along the axis, so heads (block = head size) and concat
 * parts (offset) are described exactly. Ops absent from the table stop pruning with a reason.
 * The idea follows DepGraph (Fang et al. 2023, "DepGraph: Towards Any Structural Pruning").
 */
import { tensorOf, type Node } from '../core/ir/node.ts';
import type { Dim } from '../core/ir/types.ts';

export interface Seg {
  readonly axis: number;
  readonly offset: number;
  readonly block: number;
}

/** An input index, or the node's own output. */
export type Port = number | 'out';

export interface Link {
  readonly port: Port;
  readonly seg: Seg;
}

export interface Blocked {
  readonly blocked: string;
  /** A reshape needs units `coarsen` times larger (e.g. whole heads); the caller may retry. */
  readonly coarsen?: number;
}

export type RuleResult = Link[] | Blocked;
type Rule = (node: Node, from: Port, seg: Seg, units: number) => RuleResult;

const shapeAt = (node: Node, port: Port): readonly Dim[] => tensorOf(port === 'out' ? node : node.inputs[port]).shape;

const blocked = (why: string, coarsen?: number): Blocked => ({ blocked: why, coarsen });
const at = (seg: Seg, axis: number): Seg => ({ ...seg, axis });

/** numpy broadcasting, right-aligned: every non-broadcast operand shares the output's axis. */
function broadcastRule(node: Node, from: Port, seg: Seg): RuleResult {
  const rank = shapeAt(node, 'out').length;
  const outAxis = from === 'out' ? seg.axis : seg.axis + rank - shapeAt(node, from).length;
  const links: Link[] = from === 'out' ? [] : [{ port: 'out', seg: at(seg, outAxis) }];
  node.inputs.forEach((_, i) => {
    if (i === from) return;
    const s = shapeAt(node, i);
    const axis = outAxis - (rank - s.length);
    if (axis >= 0 && s[axis] !== 1) links.push({ port: i, seg: at(seg, axis) });
  });
  return links;
}

/** Ops that keep some axes and stop at others: `pass(axis)` gives the axis on the other side. */
function passAxes(ports: Port[], ok: (axis: number) => boolean, why: string): Rule {
  return (node, from, seg) =>
    ok(seg.axis)
      ? ports.filter((p) => p !== from && (p === 'out' || p < node.inputs.length)).map((port) => ({ port, seg }))
      : blocked(`${node.op} ${why}`);
}

function transposeRule(node: Node, from: Port, seg: Seg): RuleResult {
  const perm = node.attrs.perm as number[];
  return from === 'out' ? [{ port: 0, seg: at(seg, perm[seg.axis]) }] : [{ port: 'out', seg: at(seg, perm.indexOf(seg.axis)) }];
}

function concatRule(node: Node, from: Port, seg: Seg, units: number): RuleResult {
  const rank = shapeAt(node, 'out').length;
  const axis = ((node.attrs.axis as number) + rank) % rank;
  const all: Port[] = ['out', ...node.inputs.map((_, i) => i)];
  if (seg.axis !== axis) return all.filter((p) => p !== from).map((port) => ({ port, seg }));
  const sizes = node.inputs.map((n) => tensorOf(n).shape[axis] as number);
  const base = sizes.map((_, i) => sizes.slice(0, i).reduce((s, d) => s + d, 0));
  if (from !== 'out') return [{ port: 'out', seg: { ...seg, offset: seg.offset + base[from] } }];
  const end = seg.offset + units * seg.block;
  const i = base.findIndex((b, k) => seg.offset >= b && end <= b + sizes[k]);
  return i < 0 ? blocked('concat: the channels span two concatenated inputs') : [{ port: i, seg: { ...seg, offset: seg.offset - base[i] } }];
}

function sliceRule(node: Node, from: Port, seg: Seg): RuleResult {
  const s = shapeAt(node, 0)[seg.axis] as number;
  const [b, e, st] = (['begin', 'end', 'step'] as const).map((k) => (node.attrs[k] as number[])[seg.axis]);
  const whole = b === 0 && st === 1 && e >= s;
  return whole ? [{ port: from === 'out' ? 0 : 'out', seg }] : blocked('slice cuts the channel axis');
}

function padRule(node: Node, from: Port, seg: Seg): RuleResult {
  const pads = node.attrs.pads as number[];
  const none = pads[2 * seg.axis] === 0 && pads[2 * seg.axis + 1] === 0;
  return none ? [{ port: from === 'out' ? 0 : 'out', seg }] : blocked('pad pads the channel axis');
}

function gatherRule(node: Node, from: Port, seg: Seg): RuleResult {
  const g = node.attrs.axis as number;
  const ni = shapeAt(node, 1).length;
  if (from === 1) return blocked('gather indices carry no channels');
  if (from === 0) {
    if (seg.axis === g) return blocked('gather selects along the channel axis');
    return [{ port: 'out', seg: at(seg, seg.axis < g ? seg.axis : seg.axis - 1 + ni) }];
  }
  if (seg.axis >= g && seg.axis < g + ni) return blocked('gather: channel axis comes from the indices');
  return [{ port: 0, seg: at(seg, seg.axis < g ? seg.axis : seg.axis - ni + 1) }];
}

function reduceRule(node: Node, from: Port, seg: Seg): RuleResult {
  const rank = shapeAt(node, 0).length;
  const axes = (node.attrs.axes as number[]).map((a) => (a + rank) % rank);
  const keep = node.attrs.keepdims as boolean;
  if (from === 'out') {
    const inAxis = keep ? seg.axis : [...Array(rank).keys()].filter((a) => !axes.includes(a))[seg.axis];
    return [{ port: 0, seg: at(seg, inAxis) }];
  }
  if (axes.includes(seg.axis)) return blocked(`${node.op} reduces over the channel axis`);
  return [{ port: 'out', seg: at(seg, keep ? seg.axis : seg.axis - axes.filter((a) => a < seg.axis).length) }];
}

/**
 * Where an axis of `src` lands in `dst` across a reshape: size-1 axes are ignored, the rest split
 * into blocks of equal products (symbols only match themselves). The channel axis must be the
 * outermost of its block; it lands on the outermost axis of the matching block. `inner` and
 * `innerDst` are the products of the block's axes inside each, which rescale offsets and blocks.
 */
function reshapeAxis(src: readonly Dim[], dst: readonly Dim[], axis: number): { axis: number; inner: number; innerDst: number } | string {
  const sIdx = src.map((_, i) => i).filter((i) => src[i] !== 1);
  const dIdx = dst.map((_, i) => i).filter((i) => dst[i] !== 1);
  const num = (d: Dim): number | undefined => (typeof d === 'number' ? d : undefined);
  for (let i = 0, j = 0; i < sIdx.length; ) {
    const [i0, j0] = [i, j];
    if (num(src[sIdx[i]]) === undefined || num(dst[dIdx[j]]) === undefined) {
      if (src[sIdx[i]] !== dst[dIdx[j]]) return 'reshape regroups a symbolic dim';
      i++;
      j++;
    } else {
      let ps = src[sIdx[i++]] as number,
        pd = dst[dIdx[j++]] as number;
      while (ps !== pd) {
        const next = ps < pd ? src[sIdx[i]] : dst[dIdx[j]];
        if (next === undefined || typeof next !== 'number') return 'reshape regroups a symbolic dim';
        if (ps < pd) {
          ps *= next;
          i++;
        } else {
          pd *= next;
          j++;
        }
      }
    }
    const p = sIdx.indexOf(axis);
    if (p < i0 || p >= i) continue;
    if (p !== i0) return 'reshape merges the channel axis into an outer axis';
    const prod = (dims: readonly Dim[], idx: number[]): number => idx.reduce((q, k) => q * (dims[k] as number), 1);
    return { axis: dIdx[j0], inner: prod(src, sIdx.slice(p + 1, i)), innerDst: prod(dst, dIdx.slice(j0 + 1, j)) };
  }
  return 'reshape: channel axis not found';
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function reshapeRule(node: Node, from: Port, seg: Seg): RuleResult {
  const [src, dst] = from === 'out' ? [shapeAt(node, 'out'), shapeAt(node, 0)] : [shapeAt(node, 0), shapeAt(node, 'out')];
  const m = reshapeAxis(src, dst, seg.axis);
  if (typeof m === 'string') return blocked(m);
  const offset = seg.offset * m.inner,
    block = seg.block * m.inner;
  if (offset % m.innerDst !== 0) return blocked('reshape: the channels do not start at a row of the new axis');
  if (block % m.innerDst !== 0) {
    return blocked(`reshape splits each pruned unit across ${m.innerDst / gcd(block, m.innerDst)} rows`, m.innerDst / gcd(block, m.innerDst));
  }
  return [{ port: from === 'out' ? 0 : 'out', seg: { axis: m.axis, offset: offset / m.innerDst, block: block / m.innerDst } }];
}

/** Matmul operand axes: M/K of a, K/N of b, after transposes; batch axes broadcast. */
function matmulRule(node: Node, from: Port, seg: Seg): RuleResult {
  const [ra, rb] = [shapeAt(node, 0).length, shapeAt(node, 1).length];
  const rank = shapeAt(node, 'out').length;
  const ta = node.attrs.transposeA as boolean,
    tb = node.attrs.transposeB as boolean;
  const role = (port: Port, axis: number): string => {
    if (port === 'out') return axis === rank - 2 ? 'M' : axis === rank - 1 ? 'N' : 'batch';
    const r = port === 0 ? ra : rb;
    if (axis < r - 2) return 'batch';
    const last = axis === r - 1;
    return port === 0 ? (last !== ta ? 'K' : 'M') : last !== tb ? 'N' : 'K';
  };
  const axisOf = (port: Port, name: string): number => {
    if (port === 'out') return name === 'M' ? rank - 2 : rank - 1;
    const r = port === 0 ? ra : rb;
    const t = port === 0 ? ta : tb;
    const lastName = port === 0 ? (t ? 'M' : 'K') : t ? 'K' : 'N';
    return name === lastName ? r - 1 : r - 2;
  };
  const name = role(from, seg.axis);
  if (name === 'batch') return broadcastBatch(node, from, seg, rank);
  const ports: Record<string, Port[]> = { M: [0, 'out'], K: [0, 1], N: [1, 'out'] };
  return ports[name].filter((p) => p !== from).map((port) => ({ port, seg: at(seg, axisOf(port, name)) }));
}

/** Batch axes of a matmul or attention: shared by every operand that is not broadcast there. */
function broadcastBatch(node: Node, from: Port, seg: Seg, rank: number): RuleResult {
  const outAxis = from === 'out' ? seg.axis : seg.axis + rank - shapeAt(node, from).length;
  const links: Link[] = from === 'out' ? [] : [{ port: 'out', seg: at(seg, outAxis) }];
  node.inputs.forEach((_, i) => {
    const s = shapeAt(node, i);
    const axis = outAxis - (rank - s.length);
    if (i !== from && axis >= 0 && axis < s.length - 2 && s[axis] !== 1) links.push({ port: i, seg: at(seg, axis) });
  });
  return links;
}

/** q [.., Lq, D], k [.., Lk, D], v [.., Lk, Dv] → out [.., Lq, Dv]. */
function attentionRule(node: Node, from: Port, seg: Seg): RuleResult {
  const rank = shapeAt(node, 'out').length;
  const r = from === 'out' ? rank : shapeAt(node, from).length;
  if (seg.axis < r - 2) return broadcastBatch(node, from, seg, rank);
  const roles: Record<string, [Port, number][]> = {
    Lq: [
      [0, -2],
      ['out', -2],
    ],
    D: [
      [0, -1],
      [1, -1],
    ],
    Lk: [
      [1, -2],
      [2, -2],
    ],
    Dv: [
      [2, -1],
      ['out', -1],
    ],
  };
  const mine =
    from === 'out'
      ? seg.axis === r - 2
        ? 'Lq'
        : 'Dv'
      : [
          ['Lq', 'D'],
          ['Lk', 'D'],
          ['Lk', 'Dv'],
        ][from][seg.axis === r - 2 ? 0 : 1];
  return roles[mine].filter(([p]) => p !== from).map(([port, k]) => ({ port, seg: at(seg, shapeAt(node, port).length + k) }));
}

/** conv2d with groups 1: x channels ↔ w axis 1; w axis 0 ↔ output channels ↔ bias. */
function convRule(node: Node, from: Port, seg: Seg): RuleResult {
  if (node.attrs.groups !== 1) return blocked('grouped conv2d couples channels within groups');
  const inner = from === 0 ? seg.axis === 1 : from === 1 && seg.axis === 1;
  const outer = from === 'out' ? seg.axis === 1 : (from === 1 && seg.axis === 0) || from === 2;
  if (from === 0 && seg.axis === 0) return [{ port: 'out', seg }];
  if (from === 'out' && seg.axis === 0) return [{ port: 0, seg }];
  if (inner) return [{ port: from === 0 ? 1 : 0, seg: at(seg, 1) }];
  if (outer) {
    const ports: [Port, number][] = [['out', 1], [1, 0], ...(node.inputs.length > 2 ? [[2, 0] as [Port, number]] : [])];
    return ports.filter(([p]) => p !== from).map(([port, axis]) => ({ port, seg: at(seg, axis) }));
  }
  return blocked('conv2d: spatial axes are not pruned');
}

/**
 * Norms: the per-channel operands follow the channel axis (1 for group/batch norm, last for layer
 * norm). Other axes pass through unless the statistics are taken over them (`statsOver`).
 */
function normRule(channelAxis: (rank: number) => number, statsOver: (axis: number, rank: number) => boolean): Rule {
  return (node, from, seg) => {
    const rank = shapeAt(node, 'out').length;
    const isChannel = from === 'out' || from === 0 ? seg.axis === channelAxis(rank) : true;
    const ports: Port[] = ['out', ...node.inputs.map((_, i) => i)];
    if (!isChannel && statsOver(seg.axis, rank)) return blocked(`${node.op} takes statistics over that axis`);
    if (!isChannel) return [{ port: from === 'out' ? 0 : 'out', seg }];
    return ports.filter((p) => p !== from).map((port) => ({ port, seg: at(seg, port === 'out' || port === 0 ? channelAxis(rank) : 0) }));
  };
}

const spatialPass = passAxes([0, 'out'], (a) => a < 2, 'resamples the spatial axes');
const unary = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'silu', 'relu', 'square', 'gelu', 'cast'];
const binary = ['add', 'sub', 'mul', 'div', 'pow', 'min', 'max', 'less', 'greater', 'equal', 'where', 'broadcast_to'];

export const CHANNEL_RULES: Readonly<Record<string, Rule>> = {
  ...Object.fromEntries([...unary, ...binary].map((op) => [op, broadcastRule])),
  transpose: transposeRule,
  concat: concatRule,
  slice: sliceRule,
  pad: padRule,
  gather: gatherRule,
  sum: reduceRule,
  mean: reduceRule,
  reduce_max: reduceRule,
  variance: reduceRule,
  softmax: (node, from, seg) => {
    const rank = shapeAt(node, 'out').length;
    return ((node.attrs.axis as number) + rank) % rank === seg.axis
      ? blocked('softmax normalises over the channel axis')
      : [{ port: from === 'out' ? 0 : 'out', seg }];
  },
  matmul: matmulRule,
  attention: attentionRule,
  conv2d: convRule,
  avg_pool2d: spatialPass,
  upsample_nearest: spatialPass,
  group_norm: normRule(
    () => 1,
    (a) => a > 1,
  ),
  batch_norm: normRule(
    () => 1,
    () => false,
  ),
  layer_norm: normRule(
    (r) => r - 1,
    () => false,
  ),
  reshape: reshapeRule,
};
