/**
 * Lowers a whole graph to one ONNX graph through the lowering table. Dims are bound first, the one
 * way every consumer binds them (compiler/core/ir/bind-dims.ts); a symbol left unbound is ONNX0001.
 * The structural ops are handled here:
 *   param       → a graph input of the same name
 *   weight      → a graph input named by its path, or an initializer when weights are given
 *   constant    → an initializer, one per node (nodes are interned, so a loop body's table is shared by its steps)
 *   loop        → unrolled: the body is lowered once per step, its step index an i32 constant, its carried
 *                 values renamed from step to step; body nodes that read no body parameter are lowered once
 *   tuple_get   → the name of one carried value
 *   kernel      → the fused region inlined
 * Graph outputs are `out0`, `out1`, ….
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { bindGraphDims, unboundDims } from '../../compiler/core/ir/bind-dims.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { onnxDType, type LowerCtx } from './lower-context.ts';
import { LOWERINGS } from './lowerings.ts';
import { OnnxGraphWriter, type OnnxValueInfo } from './model.ts';

type Dims = Readonly<Record<string, number>>;

export interface LoweredGraph {
  readonly writer: OnnxGraphWriter;
  /** The graph's params, in order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** The weights the graph reads that are graph inputs (none when the weights were embedded). */
  readonly weightInputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** Nodes of one graph level that read one of its params, directly or through other nodes. */
function paramDependent(graph: Graph): Set<Node> {
  const dependent = new Set<Node>(graph.params);
  for (const n of topoOrder(graph)) if (n.inputs.some((i) => dependent.has(i))) dependent.add(n);
  return dependent;
}

class GraphLowering {
  readonly w = new OnnxGraphWriter();
  readonly weightInputs: OnnxValueInfo[] = [];
  /** Leaves (weights, constants) by node, shared by every level and step. */
  private readonly leaves = new Map<Node, string>();
  private readonly tuples = new Map<Node, readonly string[]>();

  constructor(private readonly weights?: WeightSet) {}

  /** Static once dims are bound (lowerGraph checks that none is left). */
  shape(n: Node): number[] {
    return tensorOf(n).shape as number[];
  }

  info(n: Node, name: string): OnnxValueInfo {
    return { name, dtype: onnxDType(tensorOf(n).dtype, n), shape: this.shape(n) };
  }

  /**
   * Lowers one graph level with its params bound to `bound`; returns the names of its outputs.
   * `shared` holds the names of nodes lowered at an earlier step of the same loop that read no body param.
   */
  level(graph: Graph, bound: ReadonlyMap<Node, string>, shared?: Map<Node, string>): string[] {
    const names = new Map(bound);
    const invariant = shared ? paramDependent(graph) : undefined;
    for (const n of topoOrder(graph)) {
      if (names.has(n)) continue;
      const reuse = shared && !invariant?.has(n) ? shared.get(n) : undefined;
      const name =
        reuse ??
        this.node(
          n,
          n.inputs.map((i) => names.get(i) ?? this.missing(i)),
        );
      if (shared && !invariant?.has(n)) shared.set(n, name);
      names.set(n, name);
    }
    return graph.outputs.map((o) => names.get(o)!);
  }

  private missing(n: Node): never {
    return fail('ONNX0101', `%${n.id} (${n.op}) is read before it is lowered (a param of another region?)`, n.span);
  }

  private node(n: Node, inputs: readonly string[]): string {
    switch (n.op) {
      case 'param':
        return fail('ONNX0101', `param '${String(n.attrs.name)}' is not a parameter of the graph being lowered`, n.span);
      case 'weight':
        return this.leaf(n, () => this.weight(n));
      case 'constant':
        return this.leaf(n, () => this.constant(n));
      case 'loop':
        this.tuples.set(n, this.unroll(n, inputs));
        return `tuple${n.id}`;
      case 'tuple_get':
        return this.tuples.get(n.inputs[0])![n.attrs.index as number];
      case 'kernel': {
        const region = n.regions[0];
        return this.level(region, new Map(region.params.map((p, i) => [p, inputs[i]])))[0];
      }
      default:
        return this.op(n, inputs);
    }
  }

  private leaf(n: Node, make: () => string): string {
    const known = this.leaves.get(n);
    if (known) return known;
    const name = make();
    this.leaves.set(n, name);
    return name;
  }

  private weight(n: Node): string {
    const path = n.attrs.path as string;
    const info = this.info(n, path);
    if (!this.weights) {
      if (!this.weightInputs.some((v) => v.name === path)) this.weightInputs.push(info);
      return path;
    }
    const t = this.weights.get(path);
    const count = info.shape.reduce((a, d) => a * d, 1);
    if (!t || t.data.length !== count) {
      fail('ONNX0201', `weight '${path}' [${info.shape.join(', ')}] ${t ? `has ${t.data.length} values, not ${count}` : 'was not provided'}`, n.span);
    }
    return this.w.initializer('f32', info.shape, t.data, path);
  }

  private constant(n: Node): string {
    const { dtype, shape } = this.info(n, '');
    const raw = n.attrs.data as Float32Array | Int32Array;
    const data = dtype === 'f32' ? Float32Array.from(raw) : dtype === 'i32' ? Int32Array.from(raw) : Uint8Array.from(raw, (v) => (v ? 1 : 0));
    return this.w.initializer(dtype, shape, data);
  }

  /** The loop's final carried values: the body once per step, invariant body nodes once in all. */
  private unroll(n: Node, inputs: readonly string[]): string[] {
    const body = n.regions[0];
    const carriedCount = n.attrs.carried as number;
    const captures = inputs.slice(carriedCount);
    const shared = new Map<Node, string>();
    let carried = inputs.slice(0, carriedCount);
    for (let i = 0; i < (n.attrs.count as number); i++) {
      const args = [this.w.constant('i32', [i], []), ...carried, ...captures];
      carried = this.level(body, new Map(body.params.map((p, k) => [p, args[k]])), shared);
    }
    return carried;
  }

  private op(n: Node, inputs: readonly string[]): string {
    const entry = LOWERINGS.get(n.op);
    if (entry?.kind !== 'lower') {
      const why = entry?.kind === 'unsupported' ? entry.reason : 'no entry in the lowering table';
      return fail('ONNX0002', `op '${n.op}' is not supported by the ONNX target: ${why}`, n.span);
    }
    onnxDType(tensorOf(n).dtype, n);
    const out = this.w.newName();
    const ctx: LowerCtx = {
      w: this.w,
      node: n,
      attrs: n.attrs,
      inputs,
      out,
      shape: this.shape(n),
      inputShape: (i) => this.shape(n.inputs[i]),
    };
    entry.lower(ctx);
    return out;
  }
}

/** The ONNX graph of `graph` with `dims` bound; weights become initializers when `weights` is given. */
export function lowerGraph(unbound: Graph, dims: Dims, weights?: WeightSet): LoweredGraph {
  const graph = bindGraphDims(unbound, dims);
  const left = unboundDims(graph);
  if (left.length) {
    fail(
      'ONNX0001',
      `graph @${graph.name} has unbound dims ${left.join(', ')}; pass them as dims (e.g. { ${left.map((d) => `${d}: 1`).join(', ')} })`,
    );
  }
  const l = new GraphLowering(weights);
  const inputs = graph.params.map((p) => l.info(p, p.attrs.name as string));
  const results = l.level(graph, new Map(graph.params.map((p) => [p, p.attrs.name as string])));
  const outputs = graph.outputs.map((o, i) => l.info(o, `out${i}`));
  results.forEach((r, i) => l.w.emit('Identity', [r], {}, outputs[i].name));
  return { writer: l.w, inputs, weightInputs: l.weightInputs, outputs };
}
