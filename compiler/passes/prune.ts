/**
 * prune — structured pruning that really shrinks tensors (approximate; reports its error), or
 * unstructured magnitude pruning of weight values.
 *
 * Rewrites  (structured) the output channels of a conv/linear, or whole attention heads, with the
 *           lowest importance (L1 norm of their filters, or first-order Taylor |Σ w·∂L/∂w| from
 *           calibration gradients) are removed from every tensor coupled to them (channel-groups.ts):
 *             %h = conv2d(%x, %w1 [32,C,3,3], %b1) ; %g = group_norm(%h, %γ [32], %β [32]) {groups=8}
 *             %y = conv2d(silu(%g), %w2 [O,32,3,3])
 *           → the same ops on w1 [24,C,3,3], b1 [24], γ, β [24], w2 [O,24,3,3] (`<path>.pruned`),
 *           residual partners and concat parts alike; reshape shapes and an implicit attention
 *           scale are rewritten to stay consistent.
 *           (unstructured) zeroes the `ratio` smallest-magnitude weights of each conv/linear weight
 *           (`<path>.sparse`); shapes and FLOPs are unchanged, the report gives the sparsity.
 * Keeps     graph inputs, outputs and loop-carried values: a group reaching them is skipped with the
 *           reason. Under GroupNorm every norm group loses the same number of channels; when the
 *           ratio cannot do that the pass refuses (CPR0201) unless skipInfeasible is set.
 * Leaves    end-to-end error measurement to api/report/approx-report.ts.
 */
import { fail } from '../core/diagnostics.ts';
import type { GraphBuilder } from '../core/ir/builder.ts';
import { formatSpan } from '../core/ir/span.ts';
import { allNodesDeep, tensorOf, type Attrs, type Graph, type Node } from '../core/ir/node.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import { formatShape, sameShape } from '../core/ir/types.ts';
import { channelGroups, type ChannelGroup } from '../linalg/channel-groups.ts';
import { tensor } from '../core/tensor.ts';
import { dotAlongAxis, l1AlongAxis, takeAlongAxis } from '../linalg/host-tensor.ts';
import { leafKey, matrixSite } from '../linalg/layers.ts';
import { isValueLeaf, leafValue, WeightSink } from '../linalg/leaves.ts';
import { costOf, frequencies, nodeFlops, type Dims } from '../report/graph-stats.ts';
import { makeReport, type CompressionContext, type LayerChange, type SkippedLayer } from '../report/types.ts';
import { definePass, type PassContext, type PassResult } from './pass.ts';

const PASS = 'prune';

type Options = {
  ratio: number;
  mode: string;
  importance: string;
  include: string;
  exclude: string;
  skipInfeasible: boolean;
};

/** Indices removed per node and axis (union over the groups that cut it). */
type Cuts = Map<Node, Map<number, Set<number>>>;

interface Decision {
  readonly group: ChannelGroup;
  readonly removed: number[];
}

function checkOptions(opts: Options, ctx: CompressionContext): void {
  if (!(opts.ratio >= 0 && opts.ratio < 1)) fail('CPR0202', `${PASS}: ratio must be in [0, 1), got ${opts.ratio}`);
  if (opts.mode !== 'structured' && opts.mode !== 'unstructured')
    fail('CPR0203', `${PASS}: mode must be structured or unstructured, got '${opts.mode}'`);
  if (opts.importance !== 'l1' && opts.importance !== 'taylor') fail('CPR0204', `${PASS}: importance must be l1 or taylor, got '${opts.importance}'`);
  if (opts.importance === 'taylor' && !ctx.calibration?.gradients) {
    fail('CPR0205', `${PASS}: importance=taylor needs gradients in the pass context (collectGradients in api/report/calibrate.ts)`);
  }
}

/** Importance of each unit: summed over the group's producer weights (each path once). */
function importance(group: ChannelGroup, opts: Options, ctx: CompressionContext): Float64Array {
  const score = new Float64Array(group.units);
  const seen = new Set<string>();
  for (const m of group.members) {
    if (!m.producer || seen.has(leafKey(m.node))) continue;
    seen.add(leafKey(m.node));
    const value = leafValue(m.node, ctx, PASS);
    const grad = opts.importance === 'taylor' ? ctx.calibration?.gradients?.get(leafKey(m.node)) : undefined;
    if (opts.importance === 'taylor' && !grad) continue;
    const perIndex = grad ? dotAlongAxis(value, tensor(value.shape, grad), m.seg.axis).map(Math.abs) : l1AlongAxis(value, m.seg.axis);
    for (let u = 0; u < group.units; u++) {
      for (let j = 0; j < m.seg.block; j++) score[u] += perIndex[m.seg.offset + u * m.seg.block + j];
    }
  }
  return score;
}

function infeasible(group: ChannelGroup, ratio: number, window: number): string {
  const norm = group.norms[0];
  const at = norm?.span ? ` at ${formatSpan(norm.span)}` : '';
  // round(r·w) must land in 1 … w−1: r in [0.5/w, (w−0.5)/w).
  const [lo, hi] = [0.5 / window, (window - 0.5) / window].map((x) => Number(x.toFixed(3)));
  return (
    `${PASS}: ratio ${ratio} cannot be applied to the ${group.units} channels of '${group.seedKey}': ` +
    `GroupNorm(groups=${String(norm?.attrs.groups)})${at} has ${window} channels per group, and every group must lose ` +
    `the same whole number (${ratio}·${window} = ${(ratio * window).toFixed(2)} rounds to ${Math.round(ratio * window)}); ` +
    `use a ratio of at least ${lo} and below ${hi}, or skipInfeasible=true`
  );
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The selection window of each group under GroupNorm. Groups that meet in one GroupNorm (parts of a
 * concatenated axis) must remove the same number of channels from each of its norm groups, so every
 * group coupled to others through norms selects in windows of the gcd of all their windows.
 */
function sharedWindows(groups: readonly ChannelGroup[]): Map<ChannelGroup, number> {
  const parent = new Map<ChannelGroup, ChannelGroup>();
  const find = (g: ChannelGroup): ChannelGroup => (parent.get(g) === g ? g : find(parent.get(g)!));
  const byNorm = new Map<Node, ChannelGroup>();
  for (const g of groups.filter((x) => x.window)) {
    parent.set(g, g);
    for (const n of g.norms) {
      const other = byNorm.get(n);
      if (other) parent.set(find(g), find(other));
      else byNorm.set(n, g);
    }
  }
  const grain = new Map<ChannelGroup, number>();
  for (const g of parent.keys()) grain.set(find(g), gcd(grain.get(find(g)) ?? 0, g.window));
  return new Map([...parent.keys()].map((g) => [g, grain.get(find(g))!]));
}

/** The units to remove: the least important k of every window (the whole group when no GroupNorm). */
function choose(group: ChannelGroup, window: number, score: Float64Array, opts: Options, skipped: SkippedLayer[]): number[] | undefined {
  let k = Math.round(opts.ratio * window);
  if (group.window && (k === 0 || k >= window) && opts.ratio > 0) {
    if (!opts.skipInfeasible) fail('CPR0201', infeasible(group, opts.ratio, window));
    skipped.push({ layer: group.seedKey, reason: `GroupNorm groups of ${window} channels cannot lose a ratio of ${opts.ratio}` });
    return undefined;
  }
  k = Math.min(k, window - 1);
  if (k <= 0) {
    skipped.push({ layer: group.seedKey, reason: `ratio ${opts.ratio} of ${group.units} units removes none` });
    return undefined;
  }
  const removed: number[] = [];
  for (let start = 0; start < group.units; start += window) {
    const ids = Array.from({ length: window }, (_, i) => start + i);
    ids.sort((a, b) => score[a] - score[b] || a - b);
    removed.push(...ids.slice(0, k));
  }
  return removed.sort((a, b) => a - b);
}

function addCuts(cuts: Cuts, d: Decision): void {
  for (const { node, seg } of d.group.members) {
    const axes = cuts.get(node) ?? new Map<number, Set<number>>();
    const set = axes.get(seg.axis) ?? new Set<number>();
    for (const u of d.removed) for (let j = 0; j < seg.block; j++) set.add(seg.offset + u * seg.block + j);
    axes.set(seg.axis, set);
    cuts.set(node, axes);
  }
}

/** The kept indices of every cut axis of a node. */
function kept(node: Node, cuts: Cuts): Map<number, number[]> {
  const out = new Map<number, number[]>();
  const axes = cuts.get(node);
  if (!axes) return out;
  const shape = tensorOf(node).shape;
  for (const [axis, removed] of axes) {
    out.set(
      axis,
      Array.from({ length: shape[axis] as number }, (_, i) => i).filter((i) => !removed.has(i)),
    );
  }
  return out;
}

/** Attributes that spell out shapes (reshape, broadcast_to) or depend on a pruned size (attention). */
function adjustAttrs(node: Node, cuts: Cuts): Attrs {
  const keptAxes = kept(node, cuts);
  if ((node.op === 'reshape' || node.op === 'broadcast_to') && keptAxes.size) {
    const shape = [...(node.attrs.shape as (number | string)[])];
    for (const [axis, idx] of keptAxes) shape[axis] = idx.length;
    return { ...node.attrs, shape };
  }
  if (node.op === 'attention' && node.attrs.scale === 0) {
    const q = tensorOf(node.inputs[0]).shape;
    if (kept(node.inputs[0], cuts).has(q.length - 1)) return { ...node.attrs, scale: 1 / Math.sqrt(q[q.length - 1] as number) };
  }
  return node.attrs;
}

function rewriteStructured(graph: Graph, cuts: Cuts, ctx: PassContext, sink: WeightSink): Graph {
  return rewriteGraph(graph, (node, inputs, b, regions) => {
    if (isValueLeaf(node)) return cuts.has(node) ? prunedLeaf(node, cuts, ctx, sink, b) : undefined;
    // Ops without cut channels are rebuilt on their new inputs; only attention's attrs may change.
    if (!cuts.has(node) && node.op !== 'attention') return undefined;
    const out = b.op(node.op, inputs, adjustAttrs(node, cuts), node.span, regions);
    const expected = [...tensorOf(node).shape];
    for (const [axis, idx] of kept(node, cuts)) expected[axis] = idx.length;
    if (!sameShape(tensorOf(out).shape, expected)) {
      fail(
        'CPR0299',
        `${PASS}: internal error, ${node.op} became ${formatShape(tensorOf(out).shape)} instead of ${formatShape(expected)}`,
        node.span,
      );
    }
    return out;
  });
}

function prunedLeaf(node: Node, cuts: Cuts, ctx: PassContext, sink: WeightSink, b: GraphBuilder): Node {
  let value = leafValue(node, ctx, PASS);
  for (const [axis, idx] of kept(node, cuts)) value = takeAlongAxis(value, axis, idx);
  return sink.leaf(b, node, `${leafKey(node)}.pruned`, value);
}

/**
 * Figures for one group as if it were pruned alone: its leaves lose the group's slices, and every
 * op that has a member as input or output does proportionally less work. Groups overlap (a conv
 * loses input and output channels), so the report's totals are measured on the whole graph instead.
 */
function groupChange(d: Decision, nodes: readonly Node[], freq: Map<Node, number>, dims: Dims, ctx: PassContext): LayerChange {
  const { group, removed } = d;
  const members = new Set(group.members.map((m) => m.node));
  const leaves = new Map<string, { size: number; cut: number }>();
  for (const { node, seg } of group.members) {
    if (!isValueLeaf(node)) continue;
    const shape = tensorOf(node).shape as number[];
    const size = shape.reduce((p, x) => p * x, 1);
    leaves.set(leafKey(node), { size, cut: (size / shape[seg.axis]) * removed.length * seg.block });
  }
  const ops = nodes.filter((n) => !isValueLeaf(n) && (members.has(n) || n.inputs.some((i) => members.has(i))));
  const flops = ops.reduce((s, n) => s + nodeFlops(n, dims) * (freq.get(n) ?? 1), 0);
  const params = [...leaves.values()].reduce((s, l) => s + l.size, 0);
  const cut = [...leaves.values()].reduce((s, l) => s + l.cut, 0);
  const heads = group.seed.seg.block > 1;
  const unit = heads ? 'heads' : 'channels';
  const perNorm = group.window ? ` (${(removed.length * group.window) / group.units} per GroupNorm group)` : '';
  return {
    layer: group.seedKey,
    kind: unit,
    detail: `kept ${group.units - removed.length} of ${group.units} ${unit}${perNorm}`,
    paramsBefore: params,
    paramsAfter: params - cut,
    flopsBefore: flops,
    flopsAfter: (flops * (group.units - removed.length)) / group.units,
    weightError: removedNorm(d, ctx),
  };
}

/** ‖removed filters‖ / ‖all filters‖ over the group's producer weights. */
function removedNorm({ group, removed }: Decision, ctx: PassContext): number {
  let cut = 0,
    total = 0;
  const seen = new Set<string>();
  for (const m of group.members) {
    if (!m.producer || seen.has(leafKey(m.node))) continue;
    seen.add(leafKey(m.node));
    const v = leafValue(m.node, ctx, PASS);
    const sq = l1AlongAxis({ ...v, data: v.data.map((x) => x * x) }, m.seg.axis);
    sq.forEach((x) => {
      total += x;
    });
    for (const u of removed) for (let j = 0; j < m.seg.block; j++) cut += sq[m.seg.offset + u * m.seg.block + j];
  }
  return total > 0 ? Math.sqrt(cut / total) : 0;
}

function runStructured(graph: Graph, opts: Options, ctx: CompressionContext): PassResult {
  const include = opts.include ? new RegExp(opts.include) : undefined;
  const exclude = opts.exclude ? new RegExp(opts.exclude) : undefined;
  const skipped: SkippedLayer[] = [];
  const decisions: Decision[] = [];
  const candidates = channelGroups(graph).filter((g) => !((include && !include.test(g.seedKey)) || exclude?.test(g.seedKey)));
  const windows = sharedWindows(candidates.filter((g) => !g.blocked));
  for (const group of candidates) {
    if (group.blocked) {
      if (include) fail('CPR0206', `${PASS}: cannot prune '${group.seedKey}': ${group.blocked}`);
      skipped.push({ layer: group.seedKey, reason: group.blocked });
      continue;
    }
    const removed = choose(group, windows.get(group) ?? group.units, importance(group, opts, ctx), opts, skipped);
    if (removed) decisions.push({ group, removed });
  }
  if (decisions.length === 0) return { graph, changed: false, stats: { groups: 0 }, report: makeReport(PASS, false, [], skipped) };
  const cuts: Cuts = new Map();
  decisions.forEach((d) => addCuts(cuts, d));
  const sink = new WeightSink(ctx.weights);
  const out = rewriteStructured(graph, cuts, ctx, sink);
  const dims = ctx.dims ?? {};
  const [before, after] = [costOf(graph, dims), costOf(out, dims)];
  const freq = frequencies(graph);
  const total = { paramsBefore: before.params, paramsAfter: after.params, flopsBefore: before.flops, flopsAfter: after.flops };
  const nodes = allNodesDeep(graph);
  const report = makeReport(
    PASS,
    false,
    decisions.map((d) => groupChange(d, nodes, freq, dims, ctx)),
    skipped,
    [],
    total,
  );
  return {
    graph: out,
    changed: true,
    weights: sink.values,
    report,
    stats: { groups: decisions.length, ...total },
  };
}

/** Weights of convs and linear layers (each path once), the targets of magnitude pruning. */
function magnitudeTargets(graph: Graph, opts: Options): Node[] {
  const include = opts.include ? new RegExp(opts.include) : undefined;
  const exclude = opts.exclude ? new RegExp(opts.exclude) : undefined;
  const byKey = new Map<string, Node>();
  for (const n of allNodesDeep(graph)) {
    const w = n.op === 'conv2d' && isValueLeaf(n.inputs[1]) ? n.inputs[1] : matrixSite(n)?.weight;
    if (!w || byKey.has(leafKey(w))) continue;
    if ((include && !include.test(leafKey(w))) || exclude?.test(leafKey(w))) continue;
    byKey.set(leafKey(w), w);
  }
  return [...byKey.values()];
}

/** Zeroes the round(ratio·n) smallest magnitudes (ties broken by index, so the result is deterministic). */
function sparsify(data: Float32Array, ratio: number): Float32Array {
  const k = Math.round(ratio * data.length);
  const order = Array.from(data.keys()).sort((a, b) => Math.abs(data[a]) - Math.abs(data[b]) || a - b);
  const out = Float32Array.from(data);
  for (const i of order.slice(0, k)) out[i] = 0;
  return out;
}

function runUnstructured(graph: Graph, opts: Options, ctx: CompressionContext): PassResult {
  const targets = magnitudeTargets(graph, opts);
  const values = new Map(targets.map((w) => [leafKey(w), sparsify(leafValue(w, ctx, PASS).data, opts.ratio)]));
  if (targets.length === 0 || opts.ratio === 0) return { graph, changed: false, stats: { layers: 0 }, report: makeReport(PASS, false, []) };
  const sink = new WeightSink(ctx.weights);
  const out = rewriteGraph(graph, (node, _inputs, b) => {
    const v = isValueLeaf(node) ? values.get(leafKey(node)) : undefined;
    return v ? sink.leaf(b, node, `${leafKey(node)}.sparse`, tensor(tensorOf(node).shape as number[], v)) : undefined;
  });
  const cost = costOf(graph, ctx.dims ?? {});
  const layers: LayerChange[] = [...values].map(([layer, v]) => {
    const zeros = v.reduce((z, x) => z + (x === 0 ? 1 : 0), 0);
    return {
      layer,
      kind: 'sparse',
      detail: `${((100 * zeros) / v.length).toFixed(1)}% zeros`,
      paramsBefore: v.length,
      paramsAfter: v.length - zeros,
      flopsBefore: 0,
      flopsAfter: 0,
    };
  });
  const total = layers.reduce((s, l) => [s[0] + l.paramsBefore, s[1] + l.paramsAfter], [0, 0]);
  const sparsity = total[0] ? 1 - total[1] / total[0] : 0;
  const notes = [`sparsity ${(100 * sparsity).toFixed(1)}% of ${total[0]} conv/linear weights; dense kernels run the same FLOPs`];
  const report = makeReport(PASS, false, layers, [], notes, {
    paramsBefore: total[0],
    paramsAfter: total[1],
    flopsBefore: cost.flops,
    flopsAfter: cost.flops,
  });
  return { graph: out, changed: true, weights: sink.values, report, stats: { layers: layers.length, sparsity } };
}

export const prune = definePass<Options>({
  name: PASS,
  summary: 'Remove the least important channels / heads and shrink every coupled tensor (approximate)',
  options: {
    ratio: { default: 0.3, help: 'fraction of channels (or heads) removed from each prunable group, or of weights zeroed' },
    mode: { default: 'structured', help: 'structured (shrinks tensors) | unstructured (zeroes weights, shapes unchanged)' },
    importance: { default: 'l1', help: 'l1 (filter norm) | taylor (|Σ w·grad|, needs ctx.calibration.gradients)' },
    include: { default: '', help: 'regex on the producing weight path; a matching group that cannot be pruned is an error' },
    exclude: { default: '', help: 'regex: leave groups whose producing weight path matches' },
    skipInfeasible: { default: false, help: 'skip (instead of refusing) groups whose GroupNorm cannot take the ratio' },
  },
  run(graph, opts, context: PassContext): PassResult {
    const ctx = context as CompressionContext;
    checkOptions(opts, ctx);
    return opts.mode === 'unstructured' ? runUnstructured(graph, opts, ctx) : runStructured(graph, opts, ctx);
  },
});
