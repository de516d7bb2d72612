/**
 * The reference executor: interprets a graph with tfjs-core, every op through its registry
 * `reference` kernel and the structural ops (param, weight, constant, loop, tuple_get) here. It is
 * the oracle every target is compared with, so it favours clarity and checks over speed:
 * symbolic dims are bound from the input shapes (a symbol bound twice differently is an error),
 * every kernel result is checked against the node's type, and no tensor outlives the run except
 * the returned outputs (intermediates are freed after their last use, each loop step runs in
 * tf.tidy).
 *
 *   REF0201 missing input            REF0205 no value for a weight
 *   REF0202 unknown input            REF0207 op without a reference kernel   (compiler/semantics/tensors.ts)
 *   REF0203 value of the wrong shape  REF0208 kernel failed or broke its type (compiler/semantics/tensors.ts)
 *   REF0204 dim bound two ways       REF0209 dim left unbound   REF0210 param of another graph
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindShape, formatShape, formatType, numel, type TensorType } from '../../compiler/core/ir/types.ts';
import '../../compiler/core/ops/index.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { useBackend, type ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { applyReference, tfData, tfDtype } from '../../compiler/semantics/tensors.ts';

/** A value handed to the executor: a tensor, raw data (shape taken from the IR type), or both. */
export type TensorSource = tf.Tensor | Float32Array | Int32Array | { readonly data: ArrayLike<number>; readonly shape?: readonly number[] };

export interface RunOptions {
  /** One entry per graph param, by name. */
  readonly inputs: Readonly<Record<string, TensorSource>>;
  /** Values of `weight` nodes by dotted path. */
  readonly weights?: WeightSet;
  /** Dims known in advance; input shapes must agree with them. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly backend?: ReferenceBackend;
  /** Called after each step of a top-level loop. */
  readonly onStep?: (i: number, count: number) => void;
}

/** Runs `graph`; the caller owns (and disposes) the returned tensors, one per graph output. */
export async function runGraph(graph: Graph, opts: RunOptions): Promise<tf.Tensor[]> {
  await useBackend(opts.backend ?? 'cpu');
  const dims = bindInputDims(graph, opts.inputs, opts.dims ?? {});
  const rt = new Run(dims, opts);
  try {
    const args = graph.params.map((p) => rt.input(p));
    return tf.tidy(() => rt.evalGraph(graph, args, true).map((t) => (rt.isProtected(t) ? t.clone() : t)));
  } finally {
    rt.dispose();
  }
}

/** Binds every symbolic dim of the params' types from the shapes of the given inputs. */
export function bindInputDims(
  graph: Graph,
  inputs: Readonly<Record<string, TensorSource>>,
  given: Readonly<Record<string, number>>,
): Record<string, number> {
  const names = graph.params.map((p) => p.attrs.name as string);
  for (const key of Object.keys(inputs)) {
    if (!names.includes(key)) fail('REF0202', `unknown input '${key}' (graph @${graph.name} takes: ${names.join(', ') || 'nothing'})`);
  }
  const dims: Record<string, number> = { ...given };
  const origin: Record<string, string> = Object.fromEntries(Object.keys(given).map((k) => [k, 'dims']));
  for (const p of graph.params) {
    const name = p.attrs.name as string;
    const source = inputs[name];
    if (source === undefined) fail('REF0201', `missing input '${name}: ${formatType(p.type)}' for graph @${graph.name}`, p.span);
    const shape = sourceShape(source);
    if (!shape) continue;
    const declared = tensorOf(p).shape;
    if (shape.length !== declared.length) {
      fail(
        'REF0203',
        `input '${name}' has shape ${formatShape(shape)} but the graph expects ${formatType(p.type)} (rank ${declared.length})`,
        p.span,
      );
    }
    declared.forEach((d, i) => {
      if (typeof d === 'number') {
        if (d !== shape[i]) fail('REF0203', `input '${name}' has shape ${formatShape(shape)} but the graph expects ${formatType(p.type)}`, p.span);
      } else if (d in dims && dims[d] !== shape[i]) {
        fail(
          'REF0204',
          `dim '${d}' is ${dims[d]} from ${origin[d]} but ${shape[i]} from input '${name}' (axis ${i} of ${formatType(p.type)})`,
          p.span,
        );
      } else {
        dims[d] = shape[i];
        origin[d] ??= `input '${name}'`;
      }
    });
  }
  return dims;
}

function sourceShape(s: TensorSource): readonly number[] | undefined {
  if (s instanceof tf.Tensor) return s.shape;
  if (ArrayBuffer.isView(s)) return undefined;
  return s.shape;
}

function sourceData(s: TensorSource): ArrayLike<number> {
  if (ArrayBuffer.isView(s)) return s;
  return (s as { data: ArrayLike<number> }).data;
}

/** State of one run: bound dims, cached leaves, and the tensors it must free. */
class Run {
  private readonly leaves = new Map<string, tf.Tensor>();
  private readonly created: tf.Tensor[] = [];
  private readonly protectedSet = new Set<tf.Tensor>();

  constructor(
    private readonly dims: Record<string, number>,
    private readonly opts: RunOptions,
  ) {}

  isProtected(t: tf.Tensor): boolean {
    return this.protectedSet.has(t);
  }

  /** A graph input as a tensor of the param's (bound) type. */
  input(p: Node): tf.Tensor {
    const source = this.opts.inputs[p.attrs.name as string];
    return this.materialize(source, tensorOf(p), `input '${String(p.attrs.name)}'`, p);
  }

  private materialize(source: TensorSource, type: TensorType, what: string, node: Node): tf.Tensor {
    const shape = bindShape(type.shape, this.dims);
    const unbound = shape.filter((d) => typeof d === 'string');
    if (unbound.length)
      fail(
        'REF0209',
        `${what}: dims ${unbound.join(', ')} of ${formatType(type)} are not bound (give them in dims or through input shapes)`,
        node.span,
      );
    const staticShape = shape as number[];
    if (source instanceof tf.Tensor) {
      if (source.dtype !== tfDtype(type.dtype) || formatShape(source.shape) !== formatShape(staticShape)) {
        fail(
          'REF0203',
          `${what} is ${source.dtype}${formatShape(source.shape)} but the graph expects ${type.dtype}${formatShape(staticShape)}`,
          node.span,
        );
      }
      this.protectedSet.add(source);
      return source;
    }
    const given = sourceShape(source);
    if (given && formatShape(given) !== formatShape(staticShape)) {
      fail(
        'REF0203',
        `${what} has shape ${formatShape(given)} but the graph expects ${formatType(type)} (shape ${formatShape(staticShape)})`,
        node.span,
      );
    }
    const data = sourceData(source);
    if (data.length !== numel(staticShape)) {
      fail(
        'REF0203',
        `${what} has ${data.length} values but ${formatType(type)} needs ${numel(staticShape)} (shape ${formatShape(staticShape)})`,
        node.span,
      );
    }
    const t = tf.keep(tf.tensor(tfData(data, type.dtype), staticShape, tfDtype(type.dtype)));
    this.created.push(t);
    this.protectedSet.add(t);
    return t;
  }

  /** Weights are cached by path and constants by node, created once per run. */
  private leaf(node: Node): tf.Tensor {
    const key = node.op === 'weight' ? `w:${String(node.attrs.path)}:${formatType(node.type)}` : `c:${node.id}`;
    const hit = this.leaves.get(key);
    if (hit) return hit;
    const type = tensorOf(node);
    const t =
      node.op === 'weight'
        ? this.materialize(this.weightSource(node), type, `weight '${String(node.attrs.path)}'`, node)
        : this.materialize({ data: node.attrs.data as Float32Array | Int32Array }, type, 'constant', node);
    this.leaves.set(key, t);
    return t;
  }

  private weightSource(node: Node): TensorSource {
    const path = node.attrs.path as string;
    const source = this.opts.weights?.get(path);
    if (source === undefined) fail('REF0205', `no value for weight '${path}: ${formatType(node.type)}'`, node.span);
    return source;
  }

  /** Evaluates one graph level; `args` are the values of its params (owned by the caller). */
  evalGraph(graph: Graph, args: readonly tf.Tensor[], topLevel: boolean): tf.Tensor[] {
    const values = new Map<Node, tf.Tensor | tf.Tensor[]>();
    graph.params.forEach((p, i) => values.set(p, args[i]));
    const uses = new RefCounts(graph, new Set(args), this.protectedSet);
    for (const node of topoOrder(graph)) {
      if (values.has(node)) continue;
      const inputs = node.inputs.map((n) => values.get(n)!);
      const value = this.evalNode(node, inputs, topLevel);
      values.set(node, value);
      uses.produced(node, value);
      for (const input of inputs) uses.consumed(input, node);
    }
    return graph.outputs.map((o) => values.get(o) as tf.Tensor);
  }

  private evalNode(node: Node, inputs: (tf.Tensor | tf.Tensor[])[], topLevel: boolean): tf.Tensor | tf.Tensor[] {
    switch (node.op) {
      case 'weight':
      case 'constant':
        return this.leaf(node);
      case 'param':
        return fail('REF0210', `param '${String(node.attrs.name)}' is not declared by graph being run (regions are isolated)`, node.span);
      case 'tuple_get':
        return (inputs[0] as tf.Tensor[])[node.attrs.index as number];
      case 'loop':
        return this.loop(node, inputs as tf.Tensor[], topLevel);
      default:
        return applyReference(node, inputs as tf.Tensor[], this.dims);
    }
  }

  private loop(node: Node, inputs: tf.Tensor[], topLevel: boolean): tf.Tensor[] {
    const count = node.attrs.count as number;
    const nCarried = node.attrs.carried as number;
    const captures = inputs.slice(nCarried);
    const external = new Set(inputs);
    let carried = inputs.slice(0, nCarried);
    for (let i = 0; i < count; i++) {
      const prev = carried;
      carried = tf.tidy(() => this.evalGraph(node.regions[0], [tf.scalar(i, 'int32'), ...prev, ...captures], false));
      for (const t of prev) {
        if (!external.has(t) && !this.protectedSet.has(t) && !carried.includes(t)) t.dispose();
      }
      if (topLevel) this.opts.onStep?.(i, count);
    }
    return carried;
  }

  dispose(): void {
    for (const t of this.created) t.dispose();
  }
}

/**
 * Frees each intermediate after its last use within one graph level. Counted per tensor, not per
 * node, because a kernel or a tuple_get may hand back a tensor another node already holds.
 */
class RefCounts {
  private readonly pending = new Map<tf.Tensor, number>();
  private readonly userCount = new Map<Node, number>();
  private readonly tupleUses = new Map<Node, number[]>();

  constructor(
    graph: Graph,
    private readonly args: Set<tf.Tensor>,
    private readonly keep: Set<tf.Tensor>,
  ) {
    for (const node of topoOrder(graph)) {
      for (const input of node.inputs) {
        this.userCount.set(input, (this.userCount.get(input) ?? 0) + 1);
        if (node.op === 'tuple_get') {
          const list = this.tupleUses.get(input) ?? [];
          list[node.attrs.index as number] = (list[node.attrs.index as number] ?? 0) + 1;
          this.tupleUses.set(input, list);
        }
      }
    }
    // Outputs are returned, so they are never freed here.
    for (const o of graph.outputs) this.userCount.set(o, Infinity);
  }

  produced(node: Node, value: tf.Tensor | tf.Tensor[]): void {
    if (Array.isArray(value)) {
      const perIndex = this.userCount.get(node) === Infinity ? [] : (this.tupleUses.get(node) ?? []);
      value.forEach((t, i) => this.add(t, this.userCount.get(node) === Infinity ? Infinity : (perIndex[i] ?? 0)));
    } else {
      this.add(value, this.userCount.get(node) ?? 0);
    }
  }

  consumed(value: tf.Tensor | tf.Tensor[], user: Node): void {
    const t = Array.isArray(value) ? value[user.attrs.index as number] : value;
    const left = (this.pending.get(t) ?? 0) - 1;
    this.pending.set(t, left);
    if (left <= 0 && !this.args.has(t) && !this.keep.has(t)) {
      this.pending.delete(t);
      t.dispose();
    }
  }

  private add(t: tf.Tensor, n: number): void {
    this.pending.set(t, (this.pending.get(t) ?? 0) + n);
  }
}
