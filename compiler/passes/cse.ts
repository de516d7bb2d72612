/**
 * cse — merges equal computations: rebuilds the graph through the interning builder, gives loops
 * with identical bodies one body, and moves constants captured by a loop into its body.
 *
 * Rewrites  %a = mul(%x, %c) ; %b = mul(%x, %c)          → one %a used twice
 *           %c = constant {data=T} ; loop(%x, %c) body(%iter, %carried0, %capture0) { ...%capture0... }
 *        →  loop(%x) body(%iter, %carried0) { %k = constant {data=T} ... %k ... }
 *           (where the body already holds an equal constant, the two become one node)
 * Keeps     numerics exactly (equal means same op, inputs, attributes and constant bits).
 * Leaves    constants with the same values but different bits (0 vs -0) apart; a captured constant
 *           that the body yields unchanged stays a capture. Outer copies no longer used vanish.
 *           Inlining makes the values visible to fold-constants inside the body.
 */
import type { GraphBuilder } from '../core/ir/builder.ts';
import { allNodesDeep, type Graph, type Node } from '../core/ir/node.ts';
import { printGraph } from '../core/ir/printer.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import { rebuildBody } from './dce.ts';
import { definePass } from './pass.ts';

export const cse = definePass({
  name: 'cse',
  summary: 'Merge equal nodes and equal loop bodies; move captured constants into loop bodies',
  options: {},
  run(graph) {
    const before = allNodesDeep(graph).length;
    let current = graph;
    let capturesInlined = 0;
    // Each sweep inlines one more nesting level (an inner loop sees the constant only after its
    // enclosing body was rebuilt), so sweeps stop once no capture moves.
    for (;;) {
      const sweep = rebuild(current);
      current = sweep.graph;
      capturesInlined += sweep.inlined;
      if (sweep.inlined === 0) break;
    }
    const after = allNodesDeep(current).length;
    const changed = capturesInlined > 0 || after < before;
    return { graph: changed ? current : graph, changed, stats: { merged: Math.max(0, before - after), capturesInlined } };
  },
});

function rebuild(graph: Graph): { graph: Graph; inlined: number } {
  let inlined = 0;
  const bodies = new Map<string, Graph>();
  const out = rewriteGraph(graph, (node, inputs, b, regions) => {
    if (!regions.length) return undefined;
    let ins = inputs;
    let regs = regions.map((r) => canonicalRegion(r, bodies));
    if (node.op === 'loop') {
      const moved = inlineConstantCaptures(node, inputs, regs[0]);
      inlined += moved.count;
      if (moved.count) {
        ins = moved.inputs;
        regs = [canonicalRegion(moved.body, bodies)];
      }
    }
    return b.op(node.op, ins, node.attrs, node.span, regs);
  });
  return { graph: out, inlined };
}

/** Structurally identical regions become one Graph object, so their owners intern to one node. */
function canonicalRegion(region: Graph, seen: Map<string, Graph>): Graph {
  const key = printGraph(region);
  const hit = seen.get(key);
  if (hit) return hit;
  seen.set(key, region);
  return region;
}

function inlineConstantCaptures(node: Node, inputs: readonly Node[], body: Graph): { inputs: Node[]; body: Graph; count: number } {
  const nCarried = node.attrs.carried as number;
  const yielded = new Set(body.outputs);
  const inline = inputs.map((n, i) => i >= nCarried && n.op === 'constant' && !yielded.has(body.params[1 + i]));
  const count = inline.filter(Boolean).length;
  if (!count) return { inputs: [...inputs], body, count };
  const constantFor = (param: Node, b: GraphBuilder): Node | undefined => {
    const i = body.params.indexOf(param) - 1;
    return inline[i] ? b.op('constant', [], inputs[i].attrs, inputs[i].span) : undefined;
  };
  const keepParam = [true, ...inline.map((x) => !x)];
  const newBody = rebuildBody(
    body,
    keepParam,
    body.outputs.map(() => true),
    constantFor,
  );
  return { inputs: inputs.filter((_, i) => !inline[i]), body: newBody, count };
}
