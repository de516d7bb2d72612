/**
 * grad — reverse-mode automatic differentiation on the IR.
 *
 * Rewrites  @f(x, …) → (y0, …)   into   @f_grad(x, …) → (y0, …, ∂y_k/∂w_1, …, ∂y_k/∂w_n)
 *           the forward graph copied node for node, then, in reverse topological order, each node's
 *           cotangent sent to its inputs by the VJP rule its op declares in the registry
 *           (compiler/core/ops, `vjp`), summing where a value has several users.
 * Keeps     the forward outputs first and unchanged; every cotangent has exactly its value's type
 *           (checked: AD0004); only nodes between the inputs asked for and the output are differentiated.
 * Leaves    deciding what to keep for the backward pass (rematerialization) to a later pass; fusion
 *           and memory planning to the targets; the loss and the optimizer to the training step.
 *
 *   AD0001 an op on the path has no VJP    AD0002 the output is not a float scalar
 *   AD0003 an unknown name to differentiate with respect to
 */
import '../core/ops/index.ts';
import { DenocError, fail } from '../core/diagnostics.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorOf, topoOrder, type Attrs, type Graph, type Node } from '../core/ir/node.ts';
import { formatSpan } from '../core/ir/span.ts';
import { formatType, isFloat, sameType, type Shape } from '../core/ir/types.ts';
import { getOp } from '../core/ops/registry.ts';
import type { VjpBuilder } from '../core/ops/vjp.ts';

export interface GradOptions {
  /** Which output to differentiate (a float scalar, e.g. a loss). Default 0. */
  readonly output?: number;
  /** Graph inputs (param names) and weights (dotted paths) to differentiate with respect to; default every weight. */
  readonly wrt?: readonly string[];
}

export interface GradResult {
  /** The forward outputs, then one cotangent per entry of `wrt`, in that order. */
  readonly graph: Graph;
  readonly wrt: readonly string[];
}

const leafName = (n: Node): string | undefined =>
  n.op === 'weight' ? (n.attrs.path as string) : n.op === 'param' ? (n.attrs.name as string) : undefined;

/** Nodes on a path from a leaf in `from` to `root`, in topological order (stopping below `stop`). */
function between(root: Node, from: ReadonlySet<Node>, stop: ReadonlySet<Node> = new Set()): Node[] {
  const order = topoOrder({ name: 'path', params: [], outputs: [root] });
  const live = new Set<Node>();
  for (const n of order) {
    if (from.has(n) || (!stop.has(n) && n.inputs.some((i) => live.has(i)))) live.add(n);
  }
  return order.filter((n) => live.has(n));
}

/**
 * Propagates cotangents from `seeds` back over `nodes` (topologically ordered); returns the
 * cotangent of every node reached. Shared by the whole-graph transform and by `through`.
 */
function backprop(g: VjpBuilder, nodes: readonly Node[], seeds: ReadonlyMap<Node, Node>, isLeaf: (n: Node) => boolean): Map<Node, Node> {
  const cot = new Map(seeds);
  const onPath = new Set(nodes);
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const dy = cot.get(node);
    if (!dy || isLeaf(node)) continue;
    const def = getOp(node.op);
    if (!def.vjp) {
      fail('AD0001', `cannot differentiate ${node.op}${node.span ? ` at ${formatSpan(node.span)}` : ''}: ${def.noVjp ?? 'no VJP rule'}`, node.span);
    }
    const grads = def.vjp(g, node, dy);
    node.inputs.forEach((input, i) => {
      const gi = grads[i];
      if (!gi || !onPath.has(input)) return;
      if (!sameType(gi.type, input.type)) {
        fail(
          'AD0004',
          `the VJP of ${node.op} gives input ${i} a cotangent of type ${formatType(gi.type)}, but the input is ${formatType(input.type)}`,
          node.span,
        );
      }
      const prev = cot.get(input);
      cot.set(input, prev ? g.op('add', [prev, gi]) : gi);
    });
  }
  return cot;
}

/** Sums g over the axes broadcasting added (leading) or stretched (size 1 in `shape`). */
function unbroadcast(b: GraphBuilder, g: Node, shape: Shape): Node {
  const from = tensorOf(g).shape;
  const lead = from.length - shape.length;
  const axes = from.flatMap((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? [i] : []));
  if (axes.length === 0) return g;
  const summed = b.op('sum', [g], { axes, keepdims: true });
  return b.op('reshape', [summed], { shape });
}

function vjpBuilder(b: GraphBuilder): VjpBuilder {
  const g: VjpBuilder = {
    op: (op: string, inputs: readonly Node[], attrs: Attrs = {}) => b.op(op, inputs, attrs),
    scalar: (value) => b.scalar(value),
    ints: (values, shape) => b.constant(Int32Array.from(values), shape),
    floats: (values) => b.constant(values, [values.length]),
    unbroadcast: (t, shape) => unbroadcast(b, t, shape),
    through(forward, inputs, dy) {
      const out = forward(...inputs);
      const from = new Set(inputs);
      const cot = backprop(g, between(out, from, from), new Map([[out, dy]]), (n) => from.has(n));
      return inputs.map((x) => (isFloat(tensorOf(x).dtype) ? cot.get(x) : undefined));
    },
    unsupported(reason): never {
      throw new DenocError({ code: 'AD0001', severity: 'error', message: `cannot differentiate: ${reason}` });
    },
  };
  return g;
}

/** `graph` with the cotangents of output `opts.output` with respect to `opts.wrt` appended to its outputs. */
export function grad(graph: Graph, opts: GradOptions = {}): GradResult {
  const b = new GraphBuilder(`${graph.name}_grad`);
  const outputs = inlineGraph(b, graph, (p) => b.param(p.attrs.name as string, tensorOf(p), p.span));
  const index = opts.output ?? 0;
  const out = outputs[index];
  if (out?.type.kind !== 'tensor' || out.type.shape.length !== 0 || !isFloat(out.type.dtype)) {
    fail('AD0002', `output ${index} of @${graph.name} must be a float scalar to differentiate, got ${out ? formatType(out.type) : 'nothing'}`);
  }
  const leaves = new Map<string, Node>();
  for (const n of topoOrder({ name: graph.name, params: [], outputs })) {
    const name = leafName(n);
    if (name !== undefined && isFloat(tensorOf(n).dtype)) leaves.set(name, n);
  }
  const wrt = opts.wrt ?? [...leaves.keys()].filter((k) => leaves.get(k)!.op === 'weight').sort();
  for (const name of wrt) {
    if (!leaves.has(name)) fail('AD0003', `@${graph.name} has no float input or weight named '${name}' to differentiate with respect to`);
  }
  const targets = new Set(wrt.map((name) => leaves.get(name)!));
  const g = vjpBuilder(b);
  const cot = backprop(g, between(out, targets), new Map([[out, b.scalar(1)]]), (n) => n.op === 'param' || n.op === 'weight');
  const zeros = (n: Node): Node => b.op('broadcast_to', [b.scalar(0)], { shape: tensorOf(n).shape });
  const grads = wrt.map((name) => cot.get(leaves.get(name)!) ?? zeros(leaves.get(name)!));
  return { graph: b.finish([...outputs, ...grads]), wrt };
}
