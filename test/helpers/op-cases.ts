/**
 * The per-op conformance cases every target runs against the reference executor (test/webgpu and
 * test/onnx conformance suites): one small graph per case, built from named random inputs, with the
 * case's tolerance. A target's suite adds only its own skip list and how it compiles and runs a graph.
 */
import '../../compiler/core/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import type { Attrs, Graph, Node } from '../../compiler/core/ir/node.ts';
import type { DType } from '../../compiler/core/ir/types.ts';
import { rand, randInt, type Tolerance } from '../webgpu/compare.ts';

export interface Input {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: Float32Array | Int32Array;
}
export interface Case {
  readonly name: string;
  readonly op: string;
  readonly inputs: Record<string, Input>;
  readonly build: (b: GraphBuilder, x: Record<string, Node>) => Node;
  readonly tol?: Tolerance;
}

const size = (s: number[]): number => s.reduce((a, d) => a * d, 1);
let seed = 1;
const f = (shape: number[], lo = -2, hi = 2): Input => ({ dtype: 'f32', shape, data: rand(size(shape), seed++, lo, hi) });
const i32 = (shape: number[], lo: number, hi: number): Input => ({ dtype: 'i32', shape, data: randInt(size(shape), seed++, lo, hi) });

function op1(op: string, x: Input, attrs: Attrs = {}, name = op, tol?: Tolerance): Case {
  return { name, op, inputs: { x }, build: (b, v) => b.op(op, [v.x], attrs), tol };
}
function op2(op: string, a: Input, c: Input, attrs: Attrs = {}, name = op, tol?: Tolerance): Case {
  return { name, op, inputs: { a, b: c }, build: (b, v) => b.op(op, [v.a, v.b], attrs), tol };
}

const UNARY: [string, number, number][] = [
  ['neg', -3, 3],
  ['abs', -3, 3],
  ['exp', -5, 5],
  ['log', 0.01, 10],
  ['sqrt', 0, 10],
  ['rsqrt', 0.01, 10],
  ['sin', -10, 10],
  ['cos', -10, 10],
  ['tanh', -6, 6],
  ['sigmoid', -8, 8],
  ['silu', -8, 8],
  ['relu', -3, 3],
  ['square', -3, 3],
];

export const CASES: Case[] = [
  ...UNARY.map(([op, lo, hi]) => op1(op, f([3, 17], lo, hi))),
  op1('sin', f([64], -300, 300), {}, 'sin of large arguments', { atol: 1e-4 }),
  op1('tanh', f([64], -0.01, 0.01), {}, 'tanh near zero'),
  op1('gelu', f([4, 9], -4, 4), { approximate: 'tanh' }, 'gelu tanh'),
  op1('gelu', f([4, 9], -4, 4), { approximate: 'none' }, 'gelu erf', { atol: 1e-6, rtol: 1e-5 }),
  op1('cast', f([20], -5, 5), { dtype: 'i32' }, 'cast f32→i32'),
  op1('cast', i32([20], -5, 5), { dtype: 'f32' }, 'cast i32→f32'),
  op1('cast', f([20], -1, 1), { dtype: 'bool' }, 'cast f32→bool'),
  ...['add', 'sub', 'mul', 'div', 'min', 'max'].map((op) => op2(op, f([3, 1, 4]), f([5, 1], 0.5, 2))),
  op2('pow', f([3, 4], 0.1, 3), f([4], -2, 2)),
  op2('pow', f([8], -3, 3), { dtype: 'f32', shape: [8], data: Float32Array.from([2, 3, -1, 0, 2, 3, 1, -2]) }, {}, 'pow negative base'),
  op2('add', i32([6], -50, 50), i32([6], -50, 50), {}, 'add i32'),
  op2('div', i32([8], -50, 50), { dtype: 'i32', shape: [8], data: Int32Array.from([3, -3, 7, -7, 2, 5, -4, 9]) }, {}, 'div i32 truncates'),
  ...['less', 'greater', 'equal'].map((op) => op2(op, i32([2, 6], 0, 3), i32([6], 0, 3))),
  {
    name: 'where',
    op: 'where',
    inputs: { c: f([4, 5]), a: f([5]), z: f([4, 1]) },
    build: (b, v) => b.op('where', [b.op('less', [v.c, b.scalar(0)]), v.a, v.z]),
  },
  op1('broadcast_to', f([3, 1]), { shape: [2, 3, 4] }),
  op1('reshape', f([2, 3, 4]), { shape: [4, 6] }, 'reshape general'),
  op1('reshape', f([2, 3]), { shape: [2, 1, 3, 1] }, 'reshape unsqueeze'),
  op1('transpose', f([2, 3, 4]), { perm: [2, 0, 1] }),
  {
    name: 'concat',
    op: 'concat',
    inputs: { a: f([2, 3, 2]), b: f([2, 1, 2]), c: f([2, 4, 2]) },
    build: (b, v) => b.op('concat', [v.a, v.b, v.c], { axis: 1 }),
  },
  op1('slice', f([5, 9]), { begin: [1, -7], end: [5, 2147483647], step: [2, 3] }),
  op1('slice', f([5, 9]), { begin: [0, 0], end: [5, 2147483647], step: [1, 1] }, 'slice that keeps its whole input'),
  op1('pad', f([2, 3]), { pads: [1, 0, 2, 3], value: 1.5 }),
  op1('pad', f([2, 3, 4]), { pads: [0, 0, 0, 0, 2, 1] }, 'pad of the innermost axis with zeros'),
  op1('pad', f([2, 3, 4]), { pads: [0, 0, 3, 0, 0, 0] }, 'pad of a middle axis with zeros, before only'),
  { name: 'gather', op: 'gather', inputs: { d: f([3, 5, 2]), i: i32([2, 3], 0, 5) }, build: (b, v) => b.op('gather', [v.d, v.i], { axis: 1 }) },
  {
    name: 'gather at constant reversed indices (a flip)',
    op: 'gather',
    inputs: { d: f([3, 5, 2]) },
    build: (b, v) => b.op('gather', [v.d, b.constant(Int32Array.from([4, 3, 2, 1, 0]), [5])], { axis: 1 }),
  },
  {
    name: 'gather at constant indices stepping by 2',
    op: 'gather',
    inputs: { d: f([3, 7, 2]) },
    build: (b, v) => b.op('gather', [v.d, b.constant(Int32Array.from([1, 3, 5]), [3])], { axis: -2 }),
  },
  op1('upsample_nearest', f([1, 2, 3, 2]), { scale: 2 }),
  op1('avg_pool2d', f([2, 3, 6, 6]), { kernel: [2, 2] }, 'avg_pool2d 2x2'),
  op1('avg_pool2d', f([1, 2, 7, 7]), { kernel: [3, 3], stride: [2, 2] }, 'avg_pool2d 3x3 stride 2'),
  op1('sum', f([3, 4, 5]), { axes: [0, 2], keepdims: true }),
  op1('sum', i32([4, 6], -9, 9), { axes: [1] }, 'sum i32'),
  op1('mean', f([3, 4, 5]), { axes: [-1] }),
  op1('reduce_max', f([3, 4, 5]), { axes: [1] }),
  op1('variance', f([3, 4, 5], 3, 5), { axes: [0, 1] }),
  op1('sum', f([3, 1000]), { axes: [1] }, 'sum of long rows (workgroup mode)', { rtol: 1e-4, atol: 1e-4 }),
  op1('variance', f([2, 2000], 10, 12), { axes: [1] }, 'variance of long rows (workgroup mode)'),
  op1('softmax', f([3, 4, 5], -5, 5), { axis: 1 }),
  op1('softmax', f([2, 700], -5, 5), { axis: -1 }, 'softmax of long rows (workgroup mode)'),
  op2('matmul', f([7, 5]), f([5, 9]), {}, 'matmul', { atol: 1e-5 }),
  op2('matmul', f([2, 1, 5, 3]), f([3, 5, 4]), { transposeA: true }, 'matmul batched broadcast transposeA'),
  op2('matmul', f([70, 33]), f([65, 33]), { transposeB: true }, 'matmul tile edges transposeB', { atol: 1e-4 }),
  {
    name: 'conv2d stride 2 pad 1 dilation 2 groups 2 bias',
    op: 'conv2d',
    inputs: { x: f([2, 4, 9, 8]), w: f([6, 2, 3, 3]), bias: f([6]) },
    build: (b, v) => b.op('conv2d', [v.x, v.w, v.bias], { stride: [2, 2], pad: [1, 1], dilation: [2, 2], groups: 2 }),
    tol: { atol: 1e-4 },
  },
  op2('conv2d', f([1, 5, 4, 4]), f([3, 5, 1, 1]), {}, 'conv2d 1x1'),
  op2('conv2d', f([2, 8, 12, 12]), f([40, 8, 3, 3]), { pad: [1, 1] }, 'conv2d 3x3 pad 1', { atol: 1e-4 }),
  op2('conv2d', f([3, 4, 9, 8]), f([5, 4, 7, 6]), {}, 'conv2d window larger than its output (a filter gradient)', { atol: 1e-4 }),
  op2('conv2d', f([3, 4, 6, 5]), f([2, 4, 6, 5]), {}, 'conv2d window as large as its input', { atol: 1e-4 }),
  {
    name: 'group_norm',
    op: 'group_norm',
    inputs: { x: f([2, 6, 3, 3], 1, 4), g: f([6]), be: f([6]) },
    build: (b, v) => b.op('group_norm', [v.x, v.g, v.be], { groups: 3 }),
  },
  {
    name: 'group_norm of large groups (workgroup mode, row cache)',
    op: 'group_norm',
    inputs: { x: f([2, 8, 20, 20], 1, 4), g: f([8]), be: f([8]) },
    build: (b, v) => b.op('group_norm', [v.x, v.g, v.be], { groups: 2 }),
  },
  {
    name: 'layer_norm',
    op: 'layer_norm',
    inputs: { x: f([2, 3, 16]), g: f([16]), be: f([16]) },
    build: (b, v) => b.op('layer_norm', [v.x, v.g, v.be], { eps: 1e-6 }),
  },
  op1('layer_norm', f([4, 300]), {}, 'layer_norm without affine, long rows'),
  {
    name: 'batch_norm',
    op: 'batch_norm',
    inputs: { x: f([2, 3, 2, 2]), m: f([3]), v: f([3], 0.5, 2), g: f([3]), be: f([3]) },
    build: (b, v) => b.op('batch_norm', [v.x, v.m, v.v, v.g, v.be]),
  },
  {
    name: 'attention',
    op: 'attention',
    inputs: { q: f([2, 5, 8]), k: f([2, 7, 8]), v: f([2, 7, 6]) },
    build: (b, v) => b.op('attention', [v.q, v.k, v.v]),
  },
  {
    name: 'attention over many keys, broadcast batch, explicit scale',
    op: 'attention',
    inputs: { q: f([2, 3, 70, 16]), k: f([3, 150, 16]), v: f([3, 150, 16]) },
    build: (b, v) => b.op('attention', [v.q, v.k, v.v], { scale: 0.3 }),
  },
  op1('timestep_embedding', f([5], 0, 999), { dim: 16 }, 'timestep_embedding', { atol: 2e-4 }),
  {
    name: 'randn',
    op: 'randn',
    inputs: { seed: { dtype: 'i32', shape: [], data: Int32Array.of(1234) }, off: { dtype: 'i32', shape: [], data: Int32Array.of(7) } },
    build: (b, v) => b.op('randn', [v.seed, v.off], { shape: [3, 67], stream: 5 }),
    tol: { atol: 1e-5, rtol: 1e-4 },
  },
];

/** The one-op graph of a case, its inputs as graph params by name. */
export function graphOf(c: Case): Graph {
  const b = new GraphBuilder(c.name.replace(/\W+/g, '_'));
  const vars: Record<string, Node> = {};
  for (const [name, input] of Object.entries(c.inputs)) vars[name] = b.param(name, t(input.dtype, input.shape));
  return b.finish([c.build(b, vars)]);
}
