/**
 * hoist-loop-invariant — computes once, before the loop, whatever a loop body recomputes identically
 * every step (feature caching of the conditioning: class/text embedding MLPs, cross-attention K/V).
 *
 * Rewrites  %l = loop(%x, %ctx) body(%iter, %carried0, %capture0) {
 *             %k = matmul(%capture0, %wk)            ← reads no carried value and not %iter
 *             %a = attention(%q(%carried0), %k, ...) }
 *        →  %k' = matmul(%ctx, %wk)
 *           %l = loop(%x, %ctx, %k') body(%iter, %carried0, %capture0, %capture1) { %a = attention(..., %capture1, ...) }
 * Keeps     outputs exactly: ops are pure (randn included: a function of seed, stream and offset), so
 *           evaluating an invariant node once gives the value every iteration would. Only maximal
 *           invariant values that a step-dependent node (or the yield) reads become captures; their
 *           invariant producers move along. Inner loops are hoisted first, so work climbs as far as
 *           it can. Loops with count 0 are left alone (hoisting would add work).
 * Leaves    captures that no longer have a use to dce; leaves (weights, constants) stay in the body.
 */
import { GraphBuilder } from '../core/ir/builder.ts';
import { topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import type { TensorType } from '../core/ir/types.ts';
import type { GraphCost } from '../analysis/cost.ts';
import { costOf } from '../report/graph-stats.ts';
import { makeReport, type LayerChange } from '../report/types.ts';
import { definePass, type PassResult } from './pass.ts';

const PASS = 'hoist-loop-invariant';
const LEAVES = new Set(['weight', 'constant']);

/** Nodes of the body that depend on the step index or a carried value. */
function variantNodes(body: Graph, nCarried: number): Set<Node> {
  const variant = new Set<Node>(body.params.slice(0, 1 + nCarried));
  for (const n of topoOrder(body)) {
    if (n.inputs.some((i) => variant.has(i))) variant.add(n);
  }
  return variant;
}

/** Invariant computed values that a variant node or the yield reads: what becomes a capture. */
function frontier(body: Graph, variant: Set<Node>): Node[] {
  const hoistable = (n: Node): boolean => !variant.has(n) && n.op !== 'param' && !LEAVES.has(n.op);
  const out = new Set<Node>();
  for (const n of topoOrder(body)) {
    if (variant.has(n)) for (const i of n.inputs) if (hoistable(i)) out.add(i);
  }
  for (const o of body.outputs) if (hoistable(o)) out.add(o);
  return [...out];
}

/**
 * Rebuilds `roots` and their producers in `b`. Nodes already in `map` (params, hoisted values) are
 * used as they are and not descended into, so nothing behind them is rebuilt.
 */
function cloneInto(b: GraphBuilder, roots: readonly Node[], map: Map<Node, Node>): Node[] {
  const stack: Node[] = [...roots];
  while (stack.length) {
    const n = stack[stack.length - 1];
    if (map.has(n)) {
      stack.pop();
      continue;
    }
    const missing = n.inputs.filter((i) => !map.has(i));
    if (missing.length) {
      stack.push(...missing);
      continue;
    }
    stack.pop();
    map.set(
      n,
      b.op(
        n.op,
        n.inputs.map((i) => map.get(i)!),
        n.attrs,
        n.span,
        n.regions,
      ),
    );
  }
  return roots.map((r) => map.get(r)!);
}

interface Hoisted {
  readonly loop: Node;
  readonly moved: number;
  readonly newCaptures: number;
}

function hoistLoop(node: Node, inputs: readonly Node[], body: Graph, b: GraphBuilder): Hoisted | undefined {
  const nCarried = node.attrs.carried as number;
  if ((node.attrs.count as number) === 0) return undefined;
  const variant = variantNodes(body, nCarried);
  const roots = frontier(body, variant);
  if (roots.length === 0) return undefined;
  const outer = new Map<Node, Node>(body.params.slice(1 + nCarried).map((p, k) => [p, inputs[nCarried + k]]));
  const hoisted = cloneInto(b, roots, outer);
  const moved = [...outer.keys()].filter((n) => n.op !== 'param' && !LEAVES.has(n.op)).length;

  const bb = new GraphBuilder(body.name);
  const inner = new Map<Node, Node>();
  body.params.forEach((p) => inner.set(p, bb.param(p.attrs.name as string, p.type as TensorType, p.span)));
  const nCaptures = body.params.length - 1 - nCarried;
  roots.forEach((r, k) => inner.set(r, bb.param(`capture${nCaptures + k}`, r.type as TensorType, r.span)));
  const outputs = cloneInto(bb, body.outputs, inner);
  const region = bb.finish(outputs);
  const loop = b.op('loop', [...inputs, ...hoisted], node.attrs, node.span, [region]);
  return { loop, moved, newCaptures: roots.length };
}

function loopChange(before: GraphCost, after: GraphCost, loops: number, moved: number): LayerChange {
  return {
    layer: `${loops} loop${loops === 1 ? '' : 's'}`,
    kind: 'hoist',
    detail: `moved ${moved} nodes out of loop bodies`,
    paramsBefore: before.params,
    paramsAfter: after.params,
    flopsBefore: before.flops,
    flopsAfter: after.flops,
    weightError: 0,
  };
}

export const hoistLoopInvariant = definePass({
  name: PASS,
  summary: 'Compute loop-invariant work (conditioning embeddings, cross-attention K/V) once before the loop',
  options: {},
  run(graph, _opts, ctx): PassResult {
    let moved = 0,
      newCaptures = 0,
      loops = 0;
    const out = rewriteGraph(graph, (node, inputs, b, regions) => {
      if (node.op !== 'loop') return undefined;
      const h = hoistLoop(node, inputs, regions[0], b);
      if (!h) return undefined;
      loops++;
      moved += h.moved;
      newCaptures += h.newCaptures;
      return h.loop;
    });
    if (loops === 0) {
      return { graph, changed: false, stats: { loops: 0, movedNodes: 0, newCaptures: 0 }, report: makeReport(PASS, true, []) };
    }
    const dims = ctx.dims ?? {};
    const [before, after] = [costOf(graph, dims), costOf(out, dims)];
    const notes = [`FLOPs per step: ${before.perStep.flops} → ${after.perStep.flops}`];
    return {
      graph: out,
      changed: true,
      stats: {
        loops,
        movedNodes: moved,
        newCaptures,
        flopsPerStepBefore: before.perStep.flops,
        flopsPerStepAfter: after.perStep.flops,
      },
      report: makeReport(PASS, true, [loopChange(before, after, loops, moved)], [], notes),
    };
  },
});
