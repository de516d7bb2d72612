/**
 * The execution order of a graph that holds recomputed copies (nodes with the `remat` attribute, made
 * by compiler/passes/remat.ts). `topoOrder` follows it, so every consumer of a graph (the reference
 * executor, the WebGPU memory planner and dispatch plan, the ONNX and StableHLO writers) runs the
 * recomputation where the pass meant it to run.
 *
 * A depth-first walk from the outputs (the order of graphs without copies) computes a value when the
 * first output that needs it is walked: in a training step the gradient of each weight waits for the
 * weight's own output, so every activation it reads stays live through the whole backward and
 * recomputing saves nothing. Here instead the nodes run in the order they become ready (first
 * ready, first run), except the copies and what reads only copies, which run on demand, just before
 * their first reader: a segment is recomputed when its backward starts, and each weight's gradient
 * runs as soon as its cotangent exists, releasing the activations it read.
 */
import type { Graph, Node } from './node.ts';

const LEAF = new Set(['param', 'weight', 'constant']);

/** `dfs` (a topological order of `graph`'s nodes) reordered: ready nodes first-come first-run, copies on demand. */
export function rematSchedule(graph: Graph, dfs: readonly Node[]): Node[] {
  const onDemand = new Set<Node>();
  for (const n of dfs) {
    const computed = n.inputs.filter((i) => !LEAF.has(i.op));
    if (LEAF.has(n.op) || n.attrs.remat !== undefined || (computed.length > 0 && computed.every((i) => onDemand.has(i)))) onDemand.add(n);
  }
  const order: Node[] = [];
  const done = new Set<Node>();
  const emit = (n: Node): void => {
    done.add(n);
    order.push(n);
  };
  // On-demand nodes and their on-demand inputs, inputs first (iteratively: copy chains can be long).
  const pull = (root: Node): void => {
    const stack: [Node, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [n, k] = top;
      if (done.has(n)) stack.pop();
      else if (k < n.inputs.length) {
        top[1]++;
        if (!done.has(n.inputs[k])) stack.push([n.inputs[k], 0]);
      } else {
        emit(n);
        stack.pop();
      }
    }
  };
  const waiting = new Map<Node, number>();
  const users = new Map<Node, Node[]>();
  const ready: Node[] = [];
  for (const n of dfs) {
    if (onDemand.has(n)) continue;
    const eager = [...new Set(n.inputs.filter((i) => !onDemand.has(i)))];
    waiting.set(n, eager.length);
    for (const i of eager) users.set(i, [...(users.get(i) ?? []), n]);
    if (eager.length === 0) ready.push(n);
  }
  graph.params.forEach(pull);
  for (let head = 0; head < ready.length; head++) {
    const n = ready[head];
    pull(n);
    for (const u of users.get(n) ?? []) {
      const left = waiting.get(u)! - 1;
      waiting.set(u, left);
      if (left === 0) ready.push(u);
    }
  }
  graph.outputs.forEach(pull);
  return order;
}
