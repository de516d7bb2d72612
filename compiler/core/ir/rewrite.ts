/**
 * The one graph-rewriting engine: rebuilds a graph bottom-up through a fresh builder, so every
 * rewritten node is re-typed and re-interned (CSE of whatever the rewrite makes equal).
 */
import { GraphBuilder } from './builder.ts';
import { topoOrder, type Graph, type Node } from './node.ts';
import type { TensorType } from './types.ts';

/**
 * Returns the replacement for `node` given its already-rewritten inputs and regions, or undefined
 * to keep it (rebuilt on the new inputs).
 */
export type Rewriter = (node: Node, inputs: Node[], b: GraphBuilder, regions: Graph[]) => Node | undefined;

export interface RewriteOptions {
  /** Rewrite loop bodies too (default true). */
  readonly regions?: boolean;
}

export function rewriteGraph(graph: Graph, rewrite: Rewriter, opts: RewriteOptions = {}): Graph {
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  for (const p of graph.params) map.set(p, b.param(p.attrs.name as string, p.type as TensorType, p.span));
  for (const node of topoOrder(graph)) {
    if (map.has(node)) continue;
    const inputs = node.inputs.map((i) => map.get(i)!);
    const regions = opts.regions === false ? [...node.regions] : node.regions.map((r) => rewriteGraph(r, rewrite, opts));
    const replaced = rewrite(node, inputs, b, regions);
    map.set(node, replaced ?? b.op(node.op, inputs, node.attrs, node.span, regions));
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

/** A rewrite rule: `match` decides, `rewrite` builds the replacement. */
export interface Rule {
  readonly name: string;
  /** Why the rewrite is valid, in one line. */
  readonly why: string;
  match(node: Node, inputs: readonly Node[]): boolean;
  apply(node: Node, inputs: Node[], b: GraphBuilder): Node;
}

/** Applies the first matching rule at each node, repeating whole-graph sweeps until nothing fires. */
export function applyRules(graph: Graph, rules: readonly Rule[], maxSweeps = 8): { graph: Graph; fired: Record<string, number> } {
  const fired: Record<string, number> = {};
  let current = graph;
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let changed = false;
    current = rewriteGraph(current, (node, inputs, b) => {
      const rule = rules.find((r) => r.match(node, inputs));
      if (!rule) return undefined;
      changed = true;
      fired[rule.name] = (fired[rule.name] ?? 0) + 1;
      return rule.apply(node, inputs, b);
    });
    if (!changed) break;
  }
  return { graph: current, fired };
}

/**
 * Copies `graph` into `b`, each param replaced by `bind(param)` and every leaf for which `leaf`
 * returns a node replaced by it (weights become inputs of a training step, say); returns the copies
 * of the outputs. Loop bodies are shared, not copied.
 */
export function inlineGraph(
  b: GraphBuilder,
  graph: Graph,
  bind: (param: Node) => Node,
  leaf: (node: Node) => Node | undefined = () => undefined,
): Node[] {
  const map = new Map<Node, Node>();
  for (const p of graph.params) map.set(p, bind(p));
  for (const node of topoOrder(graph)) {
    if (map.has(node)) continue;
    map.set(
      node,
      leaf(node) ??
        b.op(
          node.op,
          node.inputs.map((i) => map.get(i)!),
          node.attrs,
          node.span,
          node.regions,
        ),
    );
  }
  return graph.outputs.map((o) => map.get(o)!);
}
