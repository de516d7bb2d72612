/**
 * remat — gradient checkpointing (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost").
 *
 * Rewrites  in a training step graph, each backward read of a forward activation that is not a checkpoint
 *             %a = silu(%h) … %da = mul(%dy, sigmoid(%a))
 *        →  %a = silu(%h) … %a' = silu(%h') {remat=1} … %da = mul(%dy, sigmoid(%a'))
 *           a copy of the forward nodes between the nearest checkpoints and the activation, shared by
 *           every backward reader and marked `remat=<segment>` so interning keeps it apart from the
 *           forward node (compiler/core/ops/registry.ts COMMON_ATTRS); backward nodes that read no
 *           cotangent get `remat=0`. A graph holding marks executes in the order of
 *           compiler/core/ir/schedule.ts (what `topoOrder` returns for it): marked nodes on demand, just
 *           before their first reader, so a segment is recomputed when its own backward starts.
 * Keeps     every output bit for bit (a copy is the same op on the same values); the forward part and
 *           the checkpoints unchanged. Mode `none` and a graph already rematerialized stay as they are.
 * Leaves    the choice of the loss output to the caller (`loss`, default the last output, as
 *           compiler/training/step.ts builds it); buffer reuse to the targets' memory planners.
 *
 * Checkpoints (Chen et al.'s greedy walk): go through the forward part in execution order, summing the bytes
 * of activations the backward reads; when the sum passes the segment size, keep that activation and
 * start a new segment. `sqrt`: about √n segments of √n (n saved activations) with Chen et al.'s grid
 * search over the segment size: segment = saved bytes / m for m from √n/2 to 2√n, the plan with the
 * smallest peak activation memory (compiler/analysis/training-memory.ts). `budget=<MiB>`: of every plan
 * the walk can make (m = 1…n, and keeping everything), the one whose peak fits with the fewest
 * recomputed FLOPs.
 *
 *   TRN1001 a remat mode that cannot be read   TRN1002 no plan fits the budget   TRN1004 no such loss output
 */
import { fail } from '../core/diagnostics.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { allNodesDeep, topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import type { TensorType } from '../core/ir/types.ts';
import { getOp } from '../core/ops/registry.ts';
import { forwardPart, isComputed, savedActivations, trainingMemory, valueBytes, type TrainingMemory } from '../analysis/training-memory.ts';
import { definePass, type PassResult } from './pass.ts';

export type RematMode = { readonly kind: 'none' } | { readonly kind: 'sqrt' } | { readonly kind: 'budget'; readonly bytes: number };

const MiB = 2 ** 20;

/** Reads `none`, `sqrt` or `budget=<MiB>`. */
export function parseRematMode(text: string): RematMode {
  if (text === 'none' || text === 'sqrt') return { kind: text };
  const m = /^budget=(\d+(?:\.\d+)?)$/.exec(text);
  if (!m) fail('TRN1001', `cannot read remat mode '${text}' (none | sqrt | budget=<MiB>)`);
  return { kind: 'budget', bytes: Number(m[1]) * MiB };
}

export interface RematPlan {
  /** The forward activations kept for the backward; every other saved activation is recomputed. */
  readonly checkpoints: ReadonlySet<Node>;
  readonly graph: Graph;
  readonly before: TrainingMemory;
  readonly after: TrainingMemory;
}

/** A node the pass may copy: a registry computation without regions. */
const recomputable = (n: Node): boolean => isComputed(n) && getOp(n.op).cost !== undefined && n.regions.length === 0;

/**
 * Chen et al.'s walk over the forward part: keep a saved activation once the bytes saved since the last
 * checkpoint reach `segmentBytes`; the activations after the last checkpoint are kept too (their
 * backward starts as soon as the forward ends, so recomputing them would save nothing).
 */
export function chooseCheckpoints(forward: readonly Node[], saved: ReadonlySet<Node>, segmentBytes: number): Set<Node> {
  const kept = new Set<Node>();
  let segment = 0;
  let last = -1;
  forward.forEach((n, k) => {
    if (!saved.has(n)) return;
    segment += valueBytes(n);
    if (segment >= segmentBytes || !recomputable(n)) {
      kept.add(n);
      segment = 0;
      last = k;
    }
  });
  for (const n of forward.slice(last + 1)) if (saved.has(n)) kept.add(n);
  return kept;
}

/** `graph` with every backward read of a non-checkpoint forward node replaced by a marked copy. */
export function rematerialize(graph: Graph, forward: readonly Node[], saved: ReadonlySet<Node>, kept: ReadonlySet<Node>): Graph {
  const inForward = new Set(forward);
  const segmentOf = new Map<Node, number>();
  let segment = 1;
  for (const n of forward) {
    if (kept.has(n)) segment++;
    segmentOf.set(n, segment);
  }
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  for (const p of graph.params) map.set(p, b.param(p.attrs.name as string, p.type as TensorType, p.span));
  const copies = new Map<Node, Node>();
  const copy = (v: Node): Node => {
    if (!inForward.has(v) || kept.has(v) || !recomputable(v)) return map.get(v)!;
    let c = copies.get(v);
    if (!c) {
      c = b.op(v.op, v.inputs.map(copy), { ...v.attrs, remat: segmentOf.get(v)! }, v.span);
      copies.set(v, c);
    }
    return c;
  };
  const onCotangent = new Set<Node>(forward.filter((n) => saved.has(n)).slice(-1));
  for (const node of topoOrder(graph)) {
    if (map.has(node)) continue;
    const backward = isComputed(node) && !inForward.has(node);
    const inputs = node.inputs.map((i) => (backward ? copy(i) : map.get(i)!));
    if (backward && node.inputs.some((i) => onCotangent.has(i))) onCotangent.add(node);
    // A backward node that reads no cotangent (a flipped filter, σ of a checkpoint, β₁·m) runs on demand too.
    const deferred = backward && !onCotangent.has(node) && recomputable(node);
    map.set(node, b.op(node.op, inputs, deferred ? { ...node.attrs, remat: 0 } : node.attrs, node.span, node.regions));
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

/** The checkpoints and rewritten graph for `mode`; `loss` is the index of the loss output. */
export function planRemat(graph: Graph, mode: RematMode, loss = graph.outputs.length - 1): RematPlan {
  if (mode.kind === 'none') return walkPlans(graph, loss, [])[0];
  if (mode.kind === 'budget') return cheapestWithin(walkPlans(graph, loss), mode.bytes);
  const n = savedActivations(graph, new Set(forwardPart(graph, loss))).size;
  const from = Math.max(1, Math.floor(Math.sqrt(n) / 2));
  const segments = Array.from({ length: Math.min(n, Math.ceil(2 * Math.sqrt(n))) - from + 1 }, (_, k) => from + k);
  return smallestPeak(walkPlans(graph, loss, segments));
}

/**
 * The plan that keeps every saved activation, then every distinct plan the walk makes for the segment
 * counts m (segment = saved bytes / m; default m = 1…n), each measured once.
 */
export function walkPlans(graph: Graph, loss = graph.outputs.length - 1, segments?: readonly number[]): RematPlan[] {
  const before = trainingMemory(graph, loss);
  const forward = forwardPart(graph, loss);
  const saved = savedActivations(graph, new Set(forward));
  const keepAll: RematPlan = { checkpoints: saved, graph, before, after: before };
  if (saved.size === 0) return [keepAll];
  const plans = new Map<string, Set<Node>>();
  for (const m of segments ?? Array.from({ length: saved.size }, (_, k) => k + 1)) {
    const kept = chooseCheckpoints(forward, saved, before.savedBytes / m);
    plans.set([...kept].map((n) => n.id).join(','), kept);
  }
  const walked = [...plans.values()].map((checkpoints) => {
    const out = rematerialize(graph, forward, saved, checkpoints);
    return { checkpoints, graph: out, before, after: trainingMemory(out, loss) };
  });
  return [keepAll, ...walked];
}

/** The plan with the smallest peak activation memory, and of those the fewest recomputed FLOPs. */
export function smallestPeak(plans: readonly RematPlan[]): RematPlan {
  const key = (p: RematPlan): [number, number] => [p.after.activationPeakBytes, p.after.recomputeFlops];
  return plans.reduce((a, p) => (key(p)[0] < key(a)[0] || (key(p)[0] === key(a)[0] && key(p)[1] < key(a)[1]) ? p : a));
}

/** The plan with the fewest recomputed FLOPs whose peak activation memory fits `budget`. */
function cheapestWithin(plans: readonly RematPlan[], budget: number): RematPlan {
  const fits = plans.filter((p) => p.after.activationPeakBytes <= budget).sort((a, b) => a.after.recomputeFlops - b.after.recomputeFlops);
  if (fits.length) return fits[0];
  const smallest = Math.min(...plans.map((p) => p.after.activationPeakBytes));
  return fail(
    'TRN1002',
    `no checkpoint plan fits a remat budget of ${(budget / MiB).toFixed(1)} MiB: the smallest peak activation memory is ${(smallest / MiB).toFixed(1)} MiB (raise the budget or lower the batch)`,
  );
}

export const remat = definePass<{ mode: string; loss: number }>({
  name: 'remat',
  summary: 'Gradient checkpointing: recompute forward activations in the backward (none | sqrt | budget=<MiB>)',
  options: {
    mode: { default: 'none', help: 'none | sqrt (√n checkpoints) | budget=<MiB> of peak activation memory' },
    loss: { default: -1, help: 'index of the loss output (negative: from the end)' },
  },
  run(graph, opts): PassResult {
    const mode = parseRematMode(opts.mode);
    const already = allNodesDeep(graph).some((n) => n.attrs.remat !== undefined);
    if (mode.kind === 'none' || already) return { graph, changed: false, stats: {} };
    const loss = opts.loss < 0 ? graph.outputs.length + opts.loss : opts.loss;
    if (!Number.isInteger(loss) || loss < 0 || loss >= graph.outputs.length) {
      fail('TRN1004', `remat: loss output ${opts.loss} is not an output of @${graph.name} (it has ${graph.outputs.length})`);
    }
    const p = planRemat(graph, mode, loss);
    return {
      graph: p.graph,
      changed: p.graph !== graph,
      stats: {
        checkpoints: p.checkpoints.size,
        activationPeakBefore: p.before.activationPeakBytes,
        activationPeakAfter: p.after.activationPeakBytes,
        extraFlops: p.after.recomputeFlops,
      },
    };
  },
});
