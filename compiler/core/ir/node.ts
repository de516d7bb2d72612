/**
 * IR nodes and graphs. Nodes are immutable and interned by the builder, so two structurally equal
 * nodes are the same object (CSE for free). Analyses live in side tables keyed by node, never in fields.
 */
import { rematSchedule } from './schedule.ts';
import type { Span } from './span.ts';
import type { TensorType, Type } from './types.ts';

export type AttrValue = number | string | boolean | readonly (number | string)[] | Float32Array | Int32Array;

export type Attrs = Readonly<Record<string, AttrValue>>;

export interface Node {
  /** Unique per process; printers renumber, so ids never appear in golden text. */
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
  readonly type: Type;
  /** Nested graphs of structured ops (the body of a `loop`). */
  readonly regions: readonly Graph[];
  readonly span?: Span;
}

/**
 * A graph: named parameters (nodes with op `param`) and outputs. The nodes are those reachable
 * from the outputs. A loop body is a graph whose params are (iter, ...carried, ...captures).
 */
export interface Graph {
  readonly name: string;
  readonly params: readonly Node[];
  readonly outputs: readonly Node[];
}

export function tensorOf(node: Node): TensorType {
  if (node.type.kind !== 'tensor') throw new Error(`node %${node.id} (${node.op}) is a tuple, not a tensor`);
  return node.type;
}

/**
 * Nodes reachable from the outputs (and all params), inputs before users; regions are not entered.
 * The order every consumer executes: a depth-first walk from the params and outputs, or, for a graph
 * holding recomputed copies (attribute `remat`), the schedule of schedule.ts.
 */
export function topoOrder(graph: Graph): Node[] {
  const dfs = depthFirstOrder(graph);
  return dfs.some((n) => n.attrs.remat !== undefined) ? rematSchedule(graph, dfs) : dfs;
}

function depthFirstOrder(graph: Graph): Node[] {
  const seen = new Set<Node>();
  const order: Node[] = [];
  const visit = (root: Node): void => {
    const stack: [Node, number][] = [[root, 0]];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (seen.has(node)) {
        stack.pop();
        continue;
      }
      if (i < node.inputs.length) {
        top[1]++;
        const input = node.inputs[i];
        if (!seen.has(input)) stack.push([input, 0]);
      } else {
        seen.add(node);
        order.push(node);
        stack.pop();
      }
    }
  };
  graph.params.forEach(visit);
  graph.outputs.forEach(visit);
  return order;
}

/** Users of each node within one graph level. */
export function usersOf(graph: Graph): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>();
  for (const n of topoOrder(graph)) {
    for (const i of n.inputs) {
      const list = users.get(i);
      if (list) {
        if (!list.includes(n)) list.push(n);
      } else users.set(i, [n]);
    }
  }
  return users;
}

/** Every node of a graph and, recursively, of its regions. */
export function allNodesDeep(graph: Graph): Node[] {
  const out: Node[] = [];
  for (const n of topoOrder(graph)) {
    out.push(n);
    for (const r of n.regions) out.push(...allNodesDeep(r));
  }
  return out;
}
