/**
 * dce — removes loop-carried values and captures that nothing needs.
 *
 * Rewrites  %l = loop(%a, %b, %c) {carried=2}  body(%iter, %carried0, %carried1, %capture0)
 *           where only tuple_get(%l){index=0} is used and yield 0 reads neither %carried1 nor %capture0
 *        →  %l = loop(%a) {carried=1}  body(%iter, %carried0)  (tuple_get indices renumbered)
 * Keeps     outputs and numerics exactly; a carried value is needed when the enclosing graph reads
 *           it or when the yield of another needed carried value depends on it (a fixpoint).
 * Leaves    plain dead nodes: a graph holds only what its outputs reach, so they are already gone.
 *           A loop whose results nobody reads is unreachable and disappears the same way.
 */
import { GraphBuilder } from '../core/ir/builder.ts';
import { topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import type { TensorType } from '../core/ir/types.ts';
import { definePass } from './pass.ts';

export const dce = definePass({
  name: 'dce',
  summary: 'Remove unused loop-carried values and captures',
  options: {},
  run(graph) {
    const readIndices = tupleReads(graph);
    const remaps = new Map<Node, number[]>();
    let carriedRemoved = 0;
    let capturesRemoved = 0;
    const out = rewriteGraph(graph, (node, inputs, b, regions) => {
      if (node.op === 'loop') {
        const pruned = pruneLoop(node, inputs, regions[0], readIndices.get(node), b);
        if (!pruned) return undefined;
        carriedRemoved += pruned.carriedRemoved;
        capturesRemoved += pruned.capturesRemoved;
        remaps.set(pruned.loop, pruned.carriedIndex);
        return pruned.loop;
      }
      const remap = node.op === 'tuple_get' ? remaps.get(inputs[0]) : undefined;
      return remap ? b.op('tuple_get', inputs, { index: remap[node.attrs.index as number] }, node.span) : undefined;
    });
    const changed = carriedRemoved + capturesRemoved > 0;
    return { graph: changed ? out : graph, changed, stats: { carriedRemoved, capturesRemoved } };
  },
});

/** For each loop (at any depth), the carried indices its enclosing graph reads; all when it is an output. */
function tupleReads(graph: Graph): Map<Node, Set<number>> {
  const reads = new Map<Node, Set<number>>();
  const visit = (g: Graph): void => {
    for (const o of g.outputs) if (o.op === 'loop') reads.set(o, new Set(Array.from({ length: o.attrs.carried as number }, (_, i) => i)));
    for (const n of topoOrder(g)) {
      if (n.op === 'tuple_get') {
        const set = reads.get(n.inputs[0]) ?? new Set<number>();
        set.add(n.attrs.index as number);
        reads.set(n.inputs[0], set);
      }
      n.regions.forEach(visit);
    }
  };
  visit(graph);
  return reads;
}

interface PrunedLoop {
  readonly loop: Node;
  /** Old carried index → new index (unused entries are never read). */
  readonly carriedIndex: number[];
  readonly carriedRemoved: number;
  readonly capturesRemoved: number;
}

/** The carried values and captures the needed yields depend on, grown to a fixpoint. */
function neededParams(body: Graph, nCarried: number, read: ReadonlySet<number>): Set<Node> {
  const needed = new Set<Node>();
  const work = [...read].map((i) => body.params[1 + i]);
  while (work.length) {
    const p = work.pop()!;
    if (needed.has(p)) continue;
    needed.add(p);
    const i = body.params.indexOf(p) - 1;
    if (i < 0 || i >= nCarried) continue;
    const reached = topoOrder({ ...body, params: [], outputs: [body.outputs[i]] });
    for (const n of reached) if (n.op === 'param' && !needed.has(n)) work.push(n);
  }
  return needed;
}

function pruneLoop(node: Node, inputs: Node[], body: Graph, read: ReadonlySet<number> | undefined, b: GraphBuilder): PrunedLoop | undefined {
  const nCarried = node.attrs.carried as number;
  const needed = neededParams(body, nCarried, read ?? new Set());
  const keepCarried = Array.from({ length: nCarried }, (_, i) => needed.has(body.params[1 + i]));
  const keepCapture = inputs.slice(nCarried).map((_, j) => needed.has(body.params[1 + nCarried + j]));
  const carriedKept = keepCarried.filter(Boolean).length;
  const capturesKept = keepCapture.filter(Boolean).length;
  // A reachable loop always has a read result, so carriedKept is 0 only for malformed graphs.
  if (carriedKept === 0 || (carriedKept === nCarried && capturesKept === keepCapture.length)) return undefined;
  const newBody = rebuildBody(body, [true, ...keepCarried, ...keepCapture], keepCarried);
  const newInputs = [...inputs.slice(0, nCarried).filter((_, i) => keepCarried[i]), ...inputs.slice(nCarried).filter((_, j) => keepCapture[j])];
  const loop = b.op('loop', newInputs, { ...node.attrs, carried: carriedKept }, node.span, [newBody]);
  let next = 0;
  const carriedIndex = keepCarried.map((k) => (k ? next++ : -1));
  return { loop, carriedIndex, carriedRemoved: nCarried - carriedKept, capturesRemoved: keepCapture.length - capturesKept };
}

/**
 * Copies a loop body keeping the flagged params (renamed iter, carriedN, captureN) and yields;
 * `substitute` may give a replacement (built in the new body) for a dropped param that is still used.
 */
export function rebuildBody(
  body: Graph,
  keepParam: readonly boolean[],
  keepYield: readonly boolean[],
  substitute?: (param: Node, b: GraphBuilder) => Node | undefined,
): Graph {
  const nCarried = keepYield.length;
  const b = new GraphBuilder(body.name);
  const map = new Map<Node, Node>();
  let carried = 0;
  let captured = 0;
  body.params.forEach((p, i) => {
    if (!keepParam[i]) {
      const replacement = substitute?.(p, b);
      if (replacement) map.set(p, replacement);
      return;
    }
    const name = i === 0 ? (p.attrs.name as string) : i <= nCarried ? `carried${carried++}` : `capture${captured++}`;
    map.set(p, b.param(name, p.type as TensorType, p.span));
  });
  const outputs = body.outputs.filter((_, i) => keepYield[i]);
  for (const n of topoOrder({ ...body, params: [], outputs })) {
    if (!map.has(n))
      map.set(
        n,
        b.op(
          n.op,
          n.inputs.map((x) => map.get(x)!),
          n.attrs,
          n.span,
          n.regions,
        ),
      );
  }
  return b.finish(outputs.map((o) => map.get(o)!));
}
