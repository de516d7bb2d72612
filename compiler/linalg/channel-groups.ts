/**
 * Channel groups for structured pruning: starting from the output channels of a conv/linear weight,
 * every tensor segment (including weights, biases, norm parameters, residual partners, concat parts,
 * the next layer's input channels) that must lose the same channels, found by following the op rules
 * of channel-rules.ts forwards and backwards across the whole graph, loop bodies included. A group
 * that reaches a graph input or output, a loop boundary or an op without a rule cannot be pruned
 * and says why. GroupNorm adds a window: every group of `window` units must lose equally many.
 */
import { tensorOf, topoOrder, usersOf, type Graph, type Node } from '../core/ir/node.ts';
import { levels } from '../report/graph-stats.ts';
import { CHANNEL_RULES, type Port, type Seg } from './channel-rules.ts';
import { leafKey, matrixSite } from './layers.ts';
import { isValueLeaf } from './leaves.ts';

export interface Member {
  readonly node: Node;
  readonly seg: Seg;
  /** A weight whose slices along the axis are output filters (what L1 / Taylor importance reads). */
  readonly producer?: boolean;
}

export interface ChannelGroup {
  /** Weight (path) whose output channels started the group. */
  readonly seedKey: string;
  readonly seed: Member;
  /** Prunable units (channels, or heads when block > 1). */
  readonly units: number;
  readonly members: readonly Member[];
  /** Units per GroupNorm group that must lose equally many (0: no constraint). */
  readonly window: number;
  /** GroupNorm nodes behind the window, for messages. */
  readonly norms: readonly Node[];
  readonly blocked?: string;
}

interface Index {
  readonly users: Map<Node, Node[]>;
  /** Graph outputs, loop yields and every level's params: where channels must keep their count. */
  readonly outputs: Map<Node, string>;
  readonly byPath: Map<string, Node[]>;
}

function indexGraph(graph: Graph): Index {
  const index: Index = { users: new Map(), outputs: new Map(), byPath: new Map() };
  for (const { graph: level } of levels(graph)) {
    for (const [n, us] of usersOf(level)) index.users.set(n, us);
    for (const o of level.outputs) index.outputs.set(o, level === graph ? 'a graph output' : 'a loop-carried value');
    level.params.forEach((p, i) => index.outputs.set(p, paramRole(level === graph, p, i)));
    for (const n of topoOrder(level)) {
      if (n.op !== 'weight') continue;
      const list = index.byPath.get(n.attrs.path as string) ?? [];
      if (!list.includes(n)) list.push(n);
      index.byPath.set(n.attrs.path as string, list);
    }
  }
  return index;
}

function paramRole(top: boolean, p: Node, i: number): string {
  const name = `%${String(p.attrs.name)}`;
  if (top) return `the input ${name}`;
  return i === 0 ? 'the step index of a loop' : name.startsWith('%carried') ? `a loop-carried value (${name})` : `a loop capture (${name})`;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Units per GroupNorm group for a channel segment of a group_norm, or why it cannot be pruned. */
function normWindow(norm: Node, seg: Seg, units: number): number | string {
  const c = tensorOf(norm).shape[1] as number;
  const cpg = c / (norm.attrs.groups as number);
  const aligned = seg.offset % cpg === 0 && (units * seg.block) % cpg === 0;
  if (!aligned || cpg % seg.block !== 0) {
    const part = seg.offset === 0 && units * seg.block === c ? '' : ` (these are channels ${seg.offset}..${seg.offset + units * seg.block - 1})`;
    return `GroupNorm(groups=${String(norm.attrs.groups)}) over ${c} channels: its groups of ${cpg} do not line up with the pruned units${part}`;
  }
  return cpg / seg.block;
}

class Explorer {
  readonly members: Member[] = [];
  readonly norms: Node[] = [];
  window = 0;
  blocked?: string;
  coarsen?: number;
  private readonly seen = new Map<string, string>();
  private readonly queue: Member[] = [];

  constructor(
    private readonly index: Index,
    private readonly units: number,
  ) {}

  /** Explores the whole closure even once blocked, so every seed of a blocked group is known. */
  run(seed: Member): void {
    this.queue.push(seed);
    while (this.queue.length) this.visit(this.queue.pop()!);
  }

  private stop(why: string, coarsen?: number): void {
    this.blocked ??= why;
    this.coarsen ??= coarsen;
  }

  private visit(m: Member): void {
    const { node, seg } = m;
    const key = `${node.id}:${seg.axis}`,
      layout = `${seg.offset}/${seg.block}`;
    const prior = this.seen.get(key);
    if (prior !== undefined) {
      if (prior !== layout) this.stop(`the channels reach ${node.op} twice with different layouts`);
      return;
    }
    this.seen.set(key, layout);
    const users = this.index.users.get(node) ?? [];
    const producer = isValueLeaf(node) && users.some((u) => u.inputs[1] === node && seedAxis(u) === seg.axis);
    this.members.push(producer ? { ...m, producer } : m);
    const out = this.index.outputs.get(node);
    if (out) return this.stop(`they reach ${out}`);
    if (node.op === 'weight') for (const twin of this.index.byPath.get(node.attrs.path as string) ?? []) this.queue.push({ node: twin, seg });
    if (node.inputs.length) this.follow(node, 'out', seg);
    for (const user of users) {
      user.inputs.forEach((input, i) => {
        if (input === node) this.follow(user, i, seg);
      });
    }
  }

  private follow(node: Node, from: Port, seg: Seg): void {
    const rule = CHANNEL_RULES[node.op];
    if (!rule) return this.stop(`op ${node.op} has no channel rule`);
    const links = rule(node, from, seg, this.units);
    if (!Array.isArray(links)) return this.stop(links.blocked, links.coarsen);
    if (node.op === 'group_norm') this.addWindow(node, from, seg);
    for (const l of links) this.queue.push({ node: l.port === 'out' ? node : node.inputs[l.port], seg: l.seg });
  }

  private addWindow(norm: Node, from: Port, seg: Seg): void {
    const channelSeg = from === 'out' || from === 0 ? seg : { ...seg, axis: 1 };
    if (channelSeg.axis !== 1) return;
    const w = normWindow(norm, channelSeg, this.units);
    if (typeof w === 'string') return this.stop(w);
    this.window = this.window ? gcd(this.window, w) : w;
    if (!this.norms.includes(norm)) this.norms.push(norm);
  }
}

/** Explores from a seed, growing the unit to whole heads (or rows) when a reshape asks for it. */
function explore(index: Index, seedKey: string, weight: Node, axis: number): ChannelGroup {
  const size = tensorOf(weight).shape[axis] as number;
  for (let block = 1; ; ) {
    const units = size / block;
    const seed = { node: weight, seg: { axis, offset: 0, block } };
    const ex = new Explorer(index, units);
    ex.run(seed);
    const c = ex.coarsen;
    if (ex.blocked && c && size % (block * c) === 0 && size / (block * c) > 1) {
      block *= c;
      continue;
    }
    return { seedKey, seed, units, members: ex.members, window: ex.window, norms: ex.norms, blocked: ex.blocked };
  }
}

/** The output-channel axis of a conv2d or matmul weight, if the node is such a layer. */
function seedAxis(node: Node): number | undefined {
  if (node.op === 'conv2d' && node.attrs.groups === 1 && isValueLeaf(node.inputs[1])) return 0;
  const site = node.op === 'matmul' ? matrixSite(node) : undefined;
  return site ? (node.attrs.transposeB ? 0 : 1) : undefined;
}

/** Every channel group of the graph, one per distinct producer weight axis. */
export function channelGroups(graph: Graph): ChannelGroup[] {
  const index = indexGraph(graph);
  const groups: ChannelGroup[] = [];
  const covered = new Set<string>();
  for (const { graph: level } of levels(graph)) {
    for (const node of topoOrder(level)) {
      const axis = seedAxis(node);
      if (axis === undefined) continue;
      const w = node.inputs[1];
      const key = leafKey(w);
      if (covered.has(`${key}:${axis}`)) continue;
      const group = explore(index, key, w, axis);
      for (const m of group.members) if (isValueLeaf(m.node)) covered.add(`${leafKey(m.node)}:${m.seg.axis}`);
      groups.push(group);
    }
  }
  return groups;
}
