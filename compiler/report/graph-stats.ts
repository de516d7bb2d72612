/**
 * Per-node figures for the compression reports: how often a node runs (loop bodies run `count`
 * times, nested loops multiply), its FLOPs with dims bound (unbound symbols count as 1, the cost
 * convention of compiler/core/ops/common.ts, so figures are "per unit of B"), and use counts across
 * every region (a chain of single-use nodes is what the fusing rewrites may collapse).
 */
import { topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { bindType, type TensorType } from '../core/ir/types.ts';
import { getOp, opCost } from '../core/ops/registry.ts';
import { graphCost, type GraphCost } from '../analysis/cost.ts';

export type Dims = Readonly<Record<string, number>>;

/** Every graph level (the graph and, recursively, loop bodies) with its run count. */
export function levels(graph: Graph, mult = 1): { graph: Graph; mult: number }[] {
  const out = [{ graph, mult }];
  for (const n of topoOrder(graph)) {
    for (const r of n.regions) out.push(...levels(r, mult * (n.op === 'loop' ? (n.attrs.count as number) : 1)));
  }
  return out;
}

/** How many times each node runs per run of `graph`. */
export function frequencies(graph: Graph): Map<Node, number> {
  const freq = new Map<Node, number>();
  for (const { graph: g, mult } of levels(graph)) for (const n of topoOrder(g)) freq.set(n, mult);
  return freq;
}

/** Uses of each node: one per input slot that reads it plus one per graph output it is. */
function useCounts(graph: Graph): Map<Node, number> {
  const uses = new Map<Node, number>();
  const bump = (n: Node): void => {
    uses.set(n, (uses.get(n) ?? 0) + 1);
  };
  for (const { graph: g } of levels(graph)) {
    for (const n of topoOrder(g)) n.inputs.forEach(bump);
    g.outputs.forEach(bump);
  }
  return uses;
}

/** The single node that reads `node` in its graph level, if it has exactly one use. */
export function singleUsers(graph: Graph): Map<Node, Node> {
  const uses = useCounts(graph);
  const user = new Map<Node, Node>();
  for (const { graph: g } of levels(graph)) {
    for (const n of topoOrder(g)) for (const i of n.inputs) if (uses.get(i) === 1) user.set(i, n);
  }
  return user;
}

/** Binds what `dims` knows and counts every other symbol as 1. */
export function boundType(t: TensorType, dims: Dims): TensorType {
  const b = bindType(t, dims);
  return { ...b, shape: b.shape.map((d) => (typeof d === 'number' ? d : 1)) };
}

/** FLOPs of one execution of `node` (0 for structural ops). */
export function nodeFlops(node: Node, dims: Dims): number {
  const def = getOp(node.op);
  if (node.type.kind !== 'tensor' || node.op === 'loop' || !def.cost) return 0;
  const ins = node.inputs.map((n) => boundType(n.type as TensorType, dims));
  return opCost(def, ins, boundType(node.type, dims), node.attrs).flops;
}

/** Symbols used anywhere in the graph, so a cost can be asked with every one of them bound. */
function symbols(graph: Graph): Set<string> {
  const out = new Set<string>();
  for (const { graph: g } of levels(graph)) {
    for (const n of topoOrder(g)) {
      const types = n.type.kind === 'tuple' ? n.type.elements : [n.type];
      for (const t of types) for (const d of t.shape) if (typeof d === 'string') out.add(d);
    }
  }
  return out;
}

/** graphCost with the given dims and every other symbol bound to 1. */
export function costOf(graph: Graph, dims: Dims = {}): GraphCost {
  const all: Record<string, number> = {};
  for (const s of symbols(graph)) all[s] = dims[s] ?? 1;
  return graphCost(graph, all);
}
