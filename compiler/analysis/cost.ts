/**
 * Static cost of a graph: FLOPs and bytes moved by its kernels (each op's registry `cost`, asked
 * after binding the symbolic dims), the parameter count (elements of distinct weights), and the cost
 * of one sampling step. Loop bodies count once per iteration (× count, nested loops multiply).
 * Structural ops (no registry `cost`: param, weight, constant, tuple_get) launch no kernel and cost
 * nothing; a loop or a fused `kernel` costs what its region does.
 */
import { fail } from '../core/diagnostics.ts';
import { topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { bindType, formatType, isStatic, numel, type TensorType } from '../core/ir/types.ts';
import { getOp, opCost } from '../core/ops/registry.ts';

export interface Cost {
  readonly flops: number;
  readonly bytes: number;
}

export interface GraphCost extends Cost {
  /** Elements of all distinct weights (by path). */
  readonly params: number;
  /** One iteration of the top-level loops (the sampling step); the whole graph if it has none. */
  readonly perStep: Cost;
  /** FLOPs by op name over the whole graph. */
  readonly byOp: Readonly<Record<string, number>>;
}

interface Acc {
  readonly dims: Readonly<Record<string, number>>;
  readonly byOp: Record<string, number>;
  readonly weights: Map<string, number>;
}

export function graphCost(graph: Graph, dims: Readonly<Record<string, number>> = {}): GraphCost {
  const acc: Acc = { dims, byOp: {}, weights: new Map() };
  const steps: Cost[] = [];
  const total = levelCost(graph, 1, acc, steps);
  const perStep = steps.length ? sum(steps) : total;
  const params = [...acc.weights.values()].reduce((s, n) => s + n, 0);
  return { ...total, params, perStep, byOp: acc.byOp };
}

function sum(costs: readonly Cost[]): Cost {
  return costs.reduce((a, c) => ({ flops: a.flops + c.flops, bytes: a.bytes + c.bytes }), { flops: 0, bytes: 0 });
}

/**
 * Cost of one execution of `graph`; `mult` is how often it runs in the whole program (for byOp).
 * When `steps` is given (top level), each loop's per-iteration cost is appended to it.
 */
function levelCost(graph: Graph, mult: number, acc: Acc, steps?: Cost[]): Cost {
  let flops = 0;
  let bytes = 0;
  for (const node of topoOrder(graph)) {
    if (node.op === 'weight') acc.weights.set(node.attrs.path as string, numel(bound(node, node.type as TensorType, acc).shape));
    const def = getOp(node.op);
    if (node.op === 'loop') {
      const count = node.attrs.count as number;
      const body = levelCost(node.regions[0], mult * count, acc);
      steps?.push(body);
      flops += count * body.flops;
      bytes += count * body.bytes;
    } else if (def.cost) {
      const out = bound(node, node.type as TensorType, acc);
      const c = opCost(
        def,
        node.inputs.map((n) => bound(node, n.type as TensorType, acc)),
        out,
        node.attrs,
      );
      flops += c.flops;
      bytes += c.bytes;
      acc.byOp[node.op] = (acc.byOp[node.op] ?? 0) + mult * c.flops;
    } else {
      for (const r of node.regions) {
        const inner = levelCost(r, mult, acc);
        flops += inner.flops;
        bytes += inner.bytes;
      }
    }
  }
  return { flops, bytes };
}

/** The type with dims bound; costs of symbolic shapes would be meaningless, so those fail. */
function bound(node: Node, t: TensorType, acc: Acc): TensorType {
  const b = bindType(t, acc.dims);
  if (!isStatic(b.shape)) {
    const free = b.shape.filter((d) => typeof d === 'string');
    fail('IR0401', `cost of ${node.op} (${formatType(t)}) needs dims ${free.join(', ')} bound (graphCost(graph, { ${free[0]}: ... }))`, node.span);
  }
  return b;
}
