/**
 * Training memory: which values of a training step graph are forward activations, how many bytes of
 * them are live at once, and what the step costs — under the execution order every consumer of the
 * graph follows (`topoOrder`: the reference executor, the WebGPU memory planner, the ONNX writer).
 *
 * The forward part is every computed node the loss output depends on; a forward activation is a
 * forward node that a backward node reads (what reverse mode keeps for the backward). Copies the
 * remat pass recomputes (attribute `remat`) count as activations too. A value is live from the
 * position that computes it to the last position that reads it (graph outputs to the end);
 * parameters, weights and constants are resident and not counted.
 */
import { tensorOf, topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { bytesPerElement, isStatic, numel } from '../core/ir/types.ts';
import { getOp, opCost } from '../core/ops/registry.ts';
import { graphCost } from './cost.ts';

const LEAF = new Set(['param', 'weight', 'constant']);

export interface TrainingMemory {
  /** Bytes of forward activations (kept or recomputed) live at once, at their peak. */
  readonly activationPeakBytes: number;
  /** Bytes of all computed values (activations, cotangents, gradients, updates) live at once, at their peak. */
  readonly peakBytes: number;
  /** Bytes of the forward activations the backward reads (every one kept: the memory without remat). */
  readonly savedBytes: number;
  /** FLOPs of the whole step (each op's registry cost). */
  readonly flops: number;
  /** FLOPs of the recomputed copies. */
  readonly recomputeFlops: number;
}

export const isComputed = (n: Node): boolean => !LEAF.has(n.op) && n.type.kind === 'tensor';

/** A forward node the remat pass recomputes (`remat` ≥ 1, its segment; 0 marks a deferred backward node). */
export const isCopy = (n: Node): boolean => isComputed(n) && typeof n.attrs.remat === 'number' && n.attrs.remat >= 1;

/** The forward part: computed nodes output `loss` (default the last) depends on, in execution order. */
export function forwardPart(graph: Graph, loss = graph.outputs.length - 1): Node[] {
  return topoOrder({ name: graph.name, params: [], outputs: [graph.outputs[loss]] }).filter(isComputed);
}

/** Forward nodes that a node outside the forward part reads. */
export function savedActivations(graph: Graph, forward: ReadonlySet<Node>): Set<Node> {
  const saved = new Set<Node>();
  for (const n of topoOrder(graph)) {
    if (forward.has(n) || !isComputed(n)) continue;
    for (const i of n.inputs) if (forward.has(i)) saved.add(i);
  }
  return saved;
}

export function valueBytes(n: Node): number {
  const t = tensorOf(n);
  return isStatic(t.shape) ? numel(t.shape) * bytesPerElement(t.dtype) : 0;
}

/** Peak of the bytes live at once, counting only the values `counted` admits. */
export function livePeak(order: readonly Node[], outputs: readonly Node[], counted: (n: Node) => boolean): number {
  const pos = new Map(order.map((n, i) => [n, i]));
  const last = new Map<Node, number>();
  for (const [i, n] of order.entries()) for (const input of n.inputs) last.set(input, i);
  for (const o of outputs) last.set(o, order.length);
  const dying = new Map<number, number>();
  let live = 0;
  let peak = 0;
  for (const [i, n] of order.entries()) {
    if (counted(n)) {
      const bytes = valueBytes(n);
      live += bytes;
      const end = last.get(n) ?? pos.get(n)!;
      dying.set(end, (dying.get(end) ?? 0) + bytes);
    }
    peak = Math.max(peak, live);
    live -= dying.get(i) ?? 0;
  }
  return peak;
}

/** The memory and cost figures of a training step graph whose loss is output `loss` (default the last). */
export function trainingMemory(graph: Graph, loss = graph.outputs.length - 1): TrainingMemory {
  const order = topoOrder(graph);
  const forward = new Set(forwardPart(graph, loss));
  const saved = savedActivations(graph, forward);
  const activation = (n: Node): boolean => forward.has(n) || isCopy(n);
  return {
    activationPeakBytes: livePeak(order, graph.outputs, activation),
    peakBytes: livePeak(order, graph.outputs, isComputed),
    savedBytes: [...saved].reduce((s, n) => s + valueBytes(n), 0),
    flops: graphCost(graph).flops,
    recomputeFlops: nodesFlops(order.filter(isCopy)),
  };
}

/** FLOPs of the given nodes alone (each op's registry cost, not what it reads). */
function nodesFlops(nodes: readonly Node[]): number {
  return nodes.reduce((s, n) => s + opCost(getOp(n.op), n.inputs.map(tensorOf), tensorOf(n), n.attrs).flops, 0);
}
