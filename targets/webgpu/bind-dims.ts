/**
 * Makes a graph static for code generation: substitutes bound symbols (`B`, `H`) in every
 * dims-valued attribute (param/weight/randn/reshape/broadcast_to shapes) and in loop-body
 * parameter types, re-typing every node through the builder. Symbols left unbound are an error
 * that lists them, since WGSL kernels are specialized to static shapes.
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { allNodesDeep, tensorOf, topoOrder, type AttrValue, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindShape, isStatic, tensorType } from '../../compiler/core/ir/types.ts';
import { getOp } from '../../compiler/core/ops/registry.ts';

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
    map.set(n, b.op(n.op, n.inputs.map((i) => map.get(i)!), bindAttrs(n, dims), n.span, regions));
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

/** The graph with `dims` substituted; throws WG0101 naming any symbol still unbound. */
export function bindGraphDims(graph: Graph, dims: Dims): Graph {
  const bound = bindLevel(graph, dims);
  const unbound = new Set<string>();
  for (const n of allNodesDeep(bound)) {
    const types = n.type.kind === 'tuple' ? n.type.elements : [n.type];
    for (const t of types) if (!isStatic(t.shape)) for (const d of t.shape) if (typeof d === 'string') unbound.add(d);
  }
  if (unbound.size) {
    throw new DenocError({
      code: 'WG0101', severity: 'error',
      message: `graph @${graph.name} has unbound dims ${[...unbound].join(', ')}; pass them as dims (e.g. { ${[...unbound].map((d) => `${d}: 1`).join(', ')} })`,
    });
  }
  return bound;
}
