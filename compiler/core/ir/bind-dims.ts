/**
 * Binds symbolic dims, the one way every consumer does it (WebGPU code generation, training steps):
 * substitutes bound symbols (`B`, `H`) in every dims-valued attribute (param/weight/randn/reshape/
 * broadcast_to shapes) and in loop-body parameter types, re-typing every node through the builder.
 * `unboundDims` lists what is left, for consumers that need static shapes to say so.
 */
import { GraphBuilder } from './builder.ts';
import { allNodesDeep, tensorOf, topoOrder, type AttrValue, type Graph, type Node } from './node.ts';
import { bindShape, isStatic, symbolicNumel, tensorType } from './types.ts';
import { checkLimit } from '../limits.ts';
import { getOp } from '../ops/registry.ts';

type Dims = Readonly<Record<string, number>>;

function bindAttrs(n: Node, dims: Dims): Record<string, AttrValue> {
  const specs = getOp(n.op).attrs;
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(n.attrs)) {
    out[k] = specs[k]?.kind === 'dims' && Array.isArray(v) ? bindShape(v as (number | string)[], dims) : v;
  }
  return out;
}

function bindLevel(graph: Graph, dims: Dims): Graph {
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  for (const p of graph.params) {
    const t = tensorOf(p);
    map.set(p, b.param(p.attrs.name as string, tensorType(t.dtype, bindShape(t.shape, dims)), p.span));
  }
  for (const n of topoOrder(graph)) {
    if (map.has(n)) continue;
    const regions = n.regions.map((r) => bindLevel(r, dims));
    map.set(
      n,
      b.op(
        n.op,
        n.inputs.map((i) => map.get(i)!),
        bindAttrs(n, dims),
        n.span,
        regions,
      ),
    );
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

/** The graph with `dims` substituted in every type and dims-valued attribute, loop bodies included. */
export function bindGraphDims(graph: Graph, dims: Dims): Graph {
  return bindLevel(graph, dims);
}

/** The symbols still unbound anywhere in `graph`, in order of first appearance. */
export function unboundDims(graph: Graph): string[] {
  const unbound = new Set<string>();
  for (const n of allNodesDeep(graph)) {
    const types = n.type.kind === 'tuple' ? n.type.elements : [n.type];
    for (const t of types) if (!isStatic(t.shape)) for (const d of t.shape) if (typeof d === 'string') unbound.add(d);
  }
  return [...unbound];
}

/**
 * Every tensor of `graph` (loop bodies included) with `dims` bound, checked against
 * LIMITS.tensorElements before an executor allocates it: a large batch times the largest activation.
 */
export function checkBoundSizes(graph: Graph, dims: Dims): void {
  const bound = Object.entries(dims)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
  for (const n of allNodesDeep(graph)) {
    for (const t of n.type.kind === 'tuple' ? n.type.elements : [n.type]) {
      const shape = bindShape(t.shape, dims);
      checkLimit('tensorElements', symbolicNumel(shape).factor, `the result of ${n.op} ${t.dtype}[${shape.join(', ')}] (${bound})`, n.span);
    }
  }
}
