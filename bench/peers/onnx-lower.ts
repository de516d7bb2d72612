/**
 * Lowers a denoc model graph (the IR of docs/ir.md, loop-free) to an ONNX opset-17 model with the
 * batch (and every other symbolic dim) bound, so onnxruntime runs exactly the network denoc
 * compiles. Each IR node becomes one or a few ONNX nodes; `weight` nodes become initializers.
 * Ops with no single ONNX counterpart are composed: group_norm as Reshape + InstanceNormalization
 * + Reshape + affine (GroupNormalization needs opset 18+), attention as MatMul/Softmax/MatMul,
 * timestep_embedding as Mul + Cos/Sin + Concat (the formula of docs/ir.md).
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindShape, type DType } from '../../compiler/core/ir/types.ts';
import { DATA_TYPE, type OnnxAttr, type OnnxDType, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-writer.ts';

const UNARY: Readonly<Record<string, string>> = {
  neg: 'Neg', abs: 'Abs', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', sin: 'Sin', cos: 'Cos', tanh: 'Tanh',
  sigmoid: 'Sigmoid', relu: 'Relu',
};
const BINARY: Readonly<Record<string, string>> = {
  add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', min: 'Min', max: 'Max',
  less: 'Less', greater: 'Greater', equal: 'Equal',
};

function onnxDType(d: DType): OnnxDType {
  if (d === 'f32' || d === 'i32' || d === 'bool') return d;
  return fail('BENCH0101', `the ONNX peer supports f32, i32 and bool tensors, not ${d}`);
}

/** Builds the ONNX node list for one graph; helper values are named `h<n>`. */
class Lowering {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private fresh = 0;

  constructor(private readonly dims: Readonly<Record<string, number>>, private readonly weights: ReadonlyMap<string, Float32Array>) {}

  /** Params keep their names (they are the model's inputs); other values are `v<id>`. */
  name(n: Node): string { return n.op === 'param' ? n.attrs.name as string : `v${n.id}`; }

  shape(n: Node): number[] {
    const s = bindShape(tensorOf(n).shape, this.dims);
    if (!s.every((d): d is number => typeof d === 'number')) fail('BENCH0102', `unbound dim in [${s.join(', ')}] of %${n.id} (${n.op})`);
    return s as number[];
  }

  /** Emits one ONNX node; returns its (first) output name. */
  emit(op: string, inputs: readonly string[], attrs?: Record<string, OnnxAttr>, out = `h${this.fresh++}`): string {
    this.nodes.push({ op, inputs, outputs: [out], attrs });
    return out;
  }

  constF(data: readonly number[], dims: readonly number[] = [data.length]): string {
    return this.init('f32', dims, Float32Array.from(data));
  }

  constI64(data: readonly number[]): string {
    return this.init('i64', [data.length], BigInt64Array.from(data.map((d) => BigInt(d))));
  }

  init(dtype: OnnxDType, dims: readonly number[], data: OnnxTensor['data'], name = `h${this.fresh++}`): string {
    this.initializers.push({ name, dtype, dims, data });
    return name;
  }

  weight(n: Node): void {
    const path = n.attrs.path as string;
    const data = this.weights.get(path);
    if (!data) fail('BENCH0103', `no weight '${path}' for the ONNX model`);
    this.init('f32', this.shape(n), data, this.name(n));
  }

  constant(n: Node): void {
    const t = tensorOf(n);
    const raw = n.attrs.data;
    const values = raw instanceof Float32Array || raw instanceof Int32Array ? raw : Float32Array.from(raw as readonly number[]);
    const dtype = onnxDType(t.dtype);
    const data = dtype === 'f32' ? Float32Array.from(values) : dtype === 'i32' ? Int32Array.from(values) : Uint8Array.from(values);
    this.init(dtype, this.shape(n), data, this.name(n));
  }
}

type Lower = (l: Lowering, n: Node, x: readonly string[], out: string) => void;

const ints = (v: unknown): number[] => [...(v as readonly number[])];

/** Lowerings of the ops that need more than a name change. */
const COMPOSED: Readonly<Record<string, Lower>> = {
  rsqrt: (l, _n, [x], out) => { l.emit('Reciprocal', [l.emit('Sqrt', [x])], undefined, out); },
  silu: (l, _n, [x], out) => { l.emit('Mul', [x, l.emit('Sigmoid', [x])], undefined, out); },
  square: (l, _n, [x], out) => { l.emit('Mul', [x, x], undefined, out); },
  gelu: (l, n, [x], out) => {
    // tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks & Gimpel 2016); else erf form.
    const inner = n.attrs.approximate === 'none'
      ? l.emit('Erf', [l.emit('Mul', [x, l.constF([Math.SQRT1_2], [])])])
      : l.emit('Tanh', [l.emit('Mul', [l.constF([Math.sqrt(2 / Math.PI)], []),
        l.emit('Add', [x, l.emit('Mul', [l.constF([0.044715], []), l.emit('Mul', [x, l.emit('Mul', [x, x])])])])])]);
    l.emit('Mul', [l.emit('Mul', [x, l.constF([0.5], [])]), l.emit('Add', [inner, l.constF([1], [])])], undefined, out);
  },
  cast: (l, n, [x], out) => { l.emit('Cast', [x], { to: { i: DATA_TYPE[onnxDType(n.attrs.dtype as DType)] } }, out); },
  where: (l, _n, x, out) => { l.emit('Where', x, undefined, out); },
  broadcast_to: (l, n, [x], out) => { l.emit('Expand', [x, l.constI64(l.shape(n))], undefined, out); },
  reshape: (l, n, [x], out) => { l.emit('Reshape', [x, l.constI64(l.shape(n))], undefined, out); },
  transpose: (l, n, [x], out) => { l.emit('Transpose', [x], { perm: { ints: ints(n.attrs.perm) } }, out); },
  concat: (l, n, x, out) => { l.emit('Concat', x, { axis: { i: n.attrs.axis as number } }, out); },
  slice: (l, n, [x], out) => {
    const begin = ints(n.attrs.begin);
    l.emit('Slice', [x, l.constI64(begin), l.constI64(ints(n.attrs.end)), l.constI64(begin.map((_, i) => i)), l.constI64(ints(n.attrs.step))], undefined, out);
  },
  pad: (l, n, [x], out) => {
    const p = ints(n.attrs.pads); // IR: [before0, after0, ...]; ONNX: all befores, then all afters.
    const pads = [...p.filter((_, i) => i % 2 === 0), ...p.filter((_, i) => i % 2 === 1)];
    l.emit('Pad', [x, l.constI64(pads), l.constF([Number(n.attrs.value ?? 0)], [])], { mode: { s: 'constant' } }, out);
  },
  gather: (l, n, x, out) => { l.emit('Gather', x, { axis: { i: Number(n.attrs.axis ?? 0) } }, out); },
  sum: (l, n, [x], out) => { l.emit('ReduceSum', [x, l.constI64(ints(n.attrs.axes))], { keepdims: { i: n.attrs.keepdims ? 1 : 0 } }, out); },
  mean: (l, n, [x], out) => { l.emit('ReduceMean', [x], { axes: { ints: ints(n.attrs.axes) }, keepdims: { i: n.attrs.keepdims ? 1 : 0 } }, out); },
  reduce_max: (l, n, [x], out) => { l.emit('ReduceMax', [x], { axes: { ints: ints(n.attrs.axes) }, keepdims: { i: n.attrs.keepdims ? 1 : 0 } }, out); },
  variance: (l, n, [x], out) => {
    const axes = { ints: ints(n.attrs.axes) };
    const d = l.emit('Sub', [x, l.emit('ReduceMean', [x], { axes, keepdims: { i: 1 } })]);
    l.emit('ReduceMean', [l.emit('Mul', [d, d])], { axes, keepdims: { i: n.attrs.keepdims ? 1 : 0 } }, out);
  },
  softmax: (l, n, [x], out) => { l.emit('Softmax', [x], { axis: { i: Number(n.attrs.axis ?? -1) } }, out); },
  matmul: (l, n, [a, b], out) => {
    const swap = (v: string, rank: number): string => l.emit('Transpose', [v], { perm: { ints: [...Array(rank - 2).keys(), rank - 1, rank - 2] } });
    const [ra, rb] = n.inputs.map((i) => tensorOf(i).shape.length);
    l.emit('MatMul', [n.attrs.transposeA ? swap(a, ra) : a, n.attrs.transposeB ? swap(b, rb) : b], undefined, out);
  },
  conv2d: (l, n, x, out) => {
    const [ph, pw] = ints(n.attrs.pad ?? [0, 0]);
    l.emit('Conv', x, {
      strides: { ints: ints(n.attrs.stride ?? [1, 1]) }, pads: { ints: [ph, pw, ph, pw] },
      dilations: { ints: ints(n.attrs.dilation ?? [1, 1]) }, group: { i: Number(n.attrs.groups ?? 1) },
    }, out);
  },
  upsample_nearest: (l, n, [x], out) => {
    const s = Number(n.attrs.scale ?? 2);
    l.emit('Resize', [x, '', l.constF([1, 1, s, s])], { mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' } }, out);
  },
  avg_pool2d: (l, n, [x], out) => {
    const kernel = ints(n.attrs.kernel ?? [2, 2]);
    l.emit('AveragePool', [x], { kernel_shape: { ints: kernel }, strides: { ints: ints(n.attrs.stride ?? kernel) } }, out);
  },
  group_norm: (l, n, [x, gamma, beta], out) => {
    // Normalize [N, G, C/G·spatial] per (n, g) with InstanceNormalization, then the per-channel affine.
    const shape = l.shape(n), groups = n.attrs.groups as number;
    const flat = l.emit('Reshape', [x, l.constI64([shape[0], groups, -1])]);
    const ones = l.constF(Array(groups).fill(1)), zeros = l.constF(Array(groups).fill(0));
    const normed = l.emit('InstanceNormalization', [flat, ones, zeros], { epsilon: { f: Number(n.attrs.eps ?? 1e-5) } });
    const back = l.emit('Reshape', [normed, l.constI64(shape)]);
    const perChannel = [shape[1], ...shape.slice(2).map(() => 1)];
    const g = l.emit('Reshape', [gamma, l.constI64(perChannel)]), b = l.emit('Reshape', [beta, l.constI64(perChannel)]);
    l.emit('Add', [l.emit('Mul', [back, g]), b], undefined, out);
  },
  layer_norm: (l, n, x, out) => {
    const d = l.shape(n).at(-1)!;
    const gamma = x[1] ?? l.constF(Array(d).fill(1));
    l.emit('LayerNormalization', x[2] ? [x[0], gamma, x[2]] : [x[0], gamma], { axis: { i: -1 }, epsilon: { f: Number(n.attrs.eps ?? 1e-5) } }, out);
  },
  batch_norm: (l, n, [x, mean, variance, gamma, beta], out) => {
    l.emit('BatchNormalization', [x, gamma, beta, mean, variance], { epsilon: { f: Number(n.attrs.eps ?? 1e-5) } }, out);
  },
  attention: (l, n, [q, k, v], out) => {
    const rank = tensorOf(n.inputs[1]).shape.length, d = l.shape(n.inputs[0]).at(-1)!;
    const scale = Number(n.attrs.scale ?? 0) || 1 / Math.sqrt(d);
    const kt = l.emit('Transpose', [k], { perm: { ints: [...Array(rank - 2).keys(), rank - 1, rank - 2] } });
    const scores = l.emit('Mul', [l.emit('MatMul', [q, kt]), l.constF([scale], [])]);
    l.emit('MatMul', [l.emit('Softmax', [scores], { axis: { i: -1 } }), v], undefined, out);
  },
  timestep_embedding: (l, n, [t], out) => {
    const half = (n.attrs.dim as number) / 2, maxPeriod = Number(n.attrs.maxPeriod ?? 10000);
    const freqs = l.constF(Array.from({ length: half }, (_, k) => Math.pow(maxPeriod, -k / half)), [1, half]);
    const args = l.emit('Mul', [l.emit('Reshape', [t, l.constI64([-1, 1])]), freqs]);
    l.emit('Concat', [l.emit('Cos', [args]), l.emit('Sin', [args])], { axis: { i: 1 } }, out);
  },
};

function lowerNode(l: Lowering, n: Node): void {
  if (n.op === 'param') return;
  if (n.op === 'weight') return l.weight(n);
  if (n.op === 'constant') return l.constant(n);
  const inputs = n.inputs.map((i) => l.name(i));
  if (UNARY[n.op]) { l.emit(UNARY[n.op], inputs, undefined, l.name(n)); return; }
  if (BINARY[n.op]) { l.emit(BINARY[n.op], inputs, undefined, l.name(n)); return; }
  const lower = COMPOSED[n.op];
  if (!lower) fail('BENCH0104', `op '${n.op}' has no ONNX lowering in the benchmark peer (%${n.id})`, n.span);
  lower(l, n, inputs, l.name(n));
}

/**
 * The ONNX model of `graph` with `dims` bound (e.g. `{ B: 16 }`): inputs are the graph params by
 * name, outputs `out0`, `out1`, ... Weights are read from `weights` by dotted path.
 */
export function lowerGraphToOnnx(graph: Graph, weights: ReadonlyMap<string, Float32Array>, dims: Readonly<Record<string, number>>): OnnxModel {
  const l = new Lowering(dims, weights);
  for (const n of topoOrder(graph)) lowerNode(l, n);
  const info = (n: Node, name: string): OnnxValueInfo => ({ name, dtype: onnxDType(tensorOf(n).dtype), dims: l.shape(n) });
  graph.outputs.forEach((o, i) => l.emit('Identity', [l.name(o)], undefined, `out${i}`));
  return {
    name: graph.name, opset: 17, nodes: l.nodes, initializers: l.initializers,
    inputs: graph.params.map((p) => info(p, l.name(p))),
    outputs: graph.outputs.map((o, i) => info(o, `out${i}`)),
  };
}
