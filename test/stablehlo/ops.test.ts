// Every op lowering, emitted, parsed back and interpreted, against the reference executor (the op
// registry's tfjs kernels, themselves checked against plain loops in test/ops).
import { describe, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Attrs, Node } from '../../compiler/core/ir/node.ts';
import { tensorType, type DType, type Shape } from '../../compiler/core/ir/types.ts';
import { expectMatchesReference, normals, type Data } from './helpers.ts';

interface Param {
  name: string;
  dtype?: DType;
  shape: Shape;
  data: Data;
}

/** A graph of one op over params; `weights` become weight nodes read by the op. */
async function check(op: string, params: Param[], attrs: Attrs = {}, dims: Record<string, number> = {}, weights: Param[] = []): Promise<void> {
  const b = new GraphBuilder(op);
  const ins: Node[] = params.map((p) => b.param(p.name, tensorType(p.dtype ?? 'f32', p.shape)));
  const ws: Node[] = weights.map((w) => b.weight(w.name, tensorType('f32', w.shape)));
  const out = b.op(op, [...ins, ...ws], attrs);
  const final = out.type.kind === 'tensor' && out.type.dtype === 'bool' ? b.op('cast', [out], { dtype: 'f32' }) : out;
  const g = b.finish([final]);
  const inputs = Object.fromEntries(params.map((p) => [p.name, p.data]));
  await expectMatchesReference(g, inputs, new Map(weights.map((w) => [w.name, w.data as Float32Array])), { dims });
}

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const f = (name: string, shape: number[], seed = 1, map = (x: number): number => x): Param => ({
  name,
  shape,
  data: normals(size(shape), seed).map(map),
});
const positive = (x: number): number => Math.abs(x) + 0.1;

describe('elementwise lowerings match the reference', () => {
  for (const op of ['neg', 'abs', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'silu', 'relu', 'square']) {
    it(op, () => check(op, [f('x', [3, 5])]));
  }
  for (const op of ['log', 'sqrt', 'rsqrt']) it(`${op} (positive inputs)`, () => check(op, [f('x', [3, 5], 1, positive)]));
  it('gelu tanh', () => check('gelu', [f('x', [4, 6])], { approximate: 'tanh' }));
  it('gelu erf (Abramowitz-Stegun erf, as tfjs)', () => check('gelu', [f('x', [4, 6])], { approximate: 'none' }));
  it('cast f32 -> i32 truncates', () => check('cast', [f('x', [8], 2, (x) => 3 * x)], { dtype: 'i32' }));
  it('cast i32 -> f32', () => check('cast', [{ name: 'x', dtype: 'i32', shape: [4], data: Int32Array.of(-3, 0, 7, 2) }], { dtype: 'f32' }));
  it('cast f32 -> bool is x != 0', () => check('cast', [{ name: 'x', shape: [4], data: Float32Array.of(0, -0.5, 2, 0) }], { dtype: 'bool' }));
});

describe('broadcasting binary ops match the reference', () => {
  for (const op of ['add', 'sub', 'mul', 'div', 'min', 'max']) {
    it(`${op} [2,3] with [3]`, () => check(op, [f('a', [2, 3]), f('b', [3], 2)]));
  }
  it('pow with positive bases', () => check('pow', [f('a', [2, 3], 1, positive), f('b', [2, 1], 2)]));
  it('sub [2,1] with [1,3]', () => check('sub', [f('a', [2, 1]), f('b', [1, 3], 2)]));
  it('integer div truncates toward zero', () =>
    check('div', [
      { name: 'a', dtype: 'i32', shape: [4], data: Int32Array.of(7, -7, 7, -7) },
      { name: 'b', dtype: 'i32', shape: [4], data: Int32Array.of(2, 2, -2, -2) },
    ]));
  for (const op of ['less', 'greater', 'equal']) {
    it(op, () =>
      check(op, [
        { name: 'a', shape: [4], data: Float32Array.of(1, 2, 3, 4) },
        { name: 'b', shape: [4], data: Float32Array.of(2, 2, 2, 2) },
      ]),
    );
  }
  it('where broadcasts cond, a and b', async () => {
    const b = new GraphBuilder('where');
    const a = b.param('a', tensorType('f32', [2, 3]));
    const c = b.param('c', tensorType('f32', [3]));
    const g = b.finish([b.op('where', [b.op('less', [a, c]), a, c])]);
    await expectMatchesReference(g, { a: normals(6), c: normals(3, 2) });
  });
  it('broadcast_to with a symbolic dim', () => check('broadcast_to', [f('x', [3])], { shape: ['B', 3] }, { B: 2 }));
});

describe('shape ops match the reference', () => {
  it('reshape', () => check('reshape', [f('x', [2, 6])], { shape: [3, 4] }));
  it('transpose', () => check('transpose', [f('x', [2, 3, 4])], { perm: [2, 0, 1] }));
  it('concat on a negative axis', () => check('concat', [f('a', [2, 3]), f('b', [2, 2], 2)], { axis: -1 }));
  it('slice with steps and python bounds', () => check('slice', [f('x', [5, 6])], { begin: [1, -5], end: [5, 2147483647], step: [2, 2] }));
  it('pad with a value', () => check('pad', [f('x', [2, 3])], { pads: [1, 0, 2, 1], value: 0.5 }));
  it('gather rows by an index vector', () =>
    check('gather', [f('d', [4, 3]), { name: 'i', dtype: 'i32', shape: [5], data: Int32Array.of(3, 0, 0, 2, 1) }], { axis: 0 }));
  it('gather along axis 1 with a 2-D index', () =>
    check('gather', [f('d', [2, 4, 3]), { name: 'i', dtype: 'i32', shape: [2, 2], data: Int32Array.of(1, 3, 0, 2) }], { axis: 1 }));
  it('gather by a scalar index', () =>
    check('gather', [f('d', [4, 3]), { name: 'i', dtype: 'i32', shape: [], data: Int32Array.of(2) }], { axis: 0 }));
  it('upsample_nearest', () => check('upsample_nearest', [f('x', [1, 2, 3, 2])], { scale: 2 }));
});

describe('reductions match the reference', () => {
  it('sum with keepdims', () => check('sum', [f('x', [2, 3, 4])], { axes: [0, 2], keepdims: true }));
  it('mean', () => check('mean', [f('x', [2, 3, 4])], { axes: [-1] }));
  it('reduce_max', () => check('reduce_max', [f('x', [2, 3, 4])], { axes: [1] }));
  it('variance (population)', () => check('variance', [f('x', [3, 5])], { axes: [1], keepdims: true }));
  it('softmax on axis 0', () => check('softmax', [f('x', [4, 3])], { axis: 0 }));
});

describe('matrix-unit ops match the reference', () => {
  it('matmul with broadcast batch dims', () => check('matmul', [f('a', [2, 1, 3, 4]), f('b', [3, 4, 5], 2)]));
  it('matmul with both transposes', () => check('matmul', [f('a', [2, 4, 3]), f('b', [2, 5, 4], 2)], { transposeA: true, transposeB: true }));
  it('matmul of a batch with a weight (no broadcast of the weight)', () => check('matmul', [f('a', [2, 3, 4])], {}, {}, [f('w', [4, 5], 2)]));
  it('conv2d with stride 2, pad 1, dilation 2, groups 2 and bias', () =>
    check('conv2d', [f('x', [2, 4, 7, 6])], { stride: [2, 2], pad: [1, 1], dilation: [2, 2], groups: 2 }, {}, [
      f('w', [6, 2, 3, 3], 2),
      f('bias', [6], 3),
    ]));
  it('conv2d 3x3 same padding', () => check('conv2d', [f('x', [1, 3, 5, 5])], { pad: [1, 1] }, {}, [f('w', [4, 3, 3, 3], 2)]));
  it('avg_pool2d 2x2 (reshape + reduce)', () => check('avg_pool2d', [f('x', [1, 2, 4, 6])], { kernel: [2, 2] }));
  it('avg_pool2d on odd sizes (windows that do not cover the edge)', () => check('avg_pool2d', [f('x', [1, 2, 5, 7])], { kernel: [2, 2] }));
  it('avg_pool2d 3x3 stride 2 (depthwise convolution)', () => check('avg_pool2d', [f('x', [2, 3, 7, 7])], { kernel: [3, 3], stride: [2, 2] }));
  it('attention with heads as batch dims', () => check('attention', [f('q', [2, 3, 4, 8]), f('k', [2, 3, 5, 8], 2), f('v', [2, 3, 5, 6], 3)]));
  it('attention with an explicit scale and broadcast batch', () =>
    check('attention', [f('q', [2, 4, 8]), f('k', [1, 5, 8], 2), f('v', [1, 5, 8], 3)], { scale: 0.2 }));
});

describe('normalisations and embeddings match the reference', () => {
  it('group_norm', () => check('group_norm', [f('x', [2, 6, 3, 3])], { groups: 3, eps: 1e-5 }, {}, [f('g', [6], 2), f('b', [6], 3)]));
  it('layer_norm with gamma and beta', () => check('layer_norm', [f('x', [2, 3, 8])], {}, {}, [f('g', [8], 2), f('b', [8], 3)]));
  it('layer_norm without affine parameters', () => check('layer_norm', [f('x', [4, 8])]));
  it('batch_norm', () =>
    check('batch_norm', [f('x', [2, 3, 2, 2])], { eps: 1e-3 }, {}, [f('m', [3], 2), f('v', [3], 3, positive), f('g', [3], 4), f('b', [3], 5)]));
  it('timestep_embedding', () => check('timestep_embedding', [{ name: 't', shape: [3], data: Float32Array.of(0, 17, 999) }], { dim: 8 }));
});

describe('randn inside the module is the shared Philox noise', () => {
  it('matches compiler/core/numeric/rng bit for bit, with an offset and an odd element count', () =>
    check(
      'randn',
      [
        { name: 'seed', dtype: 'i32', shape: [], data: Int32Array.of(-5) },
        { name: 'off', dtype: 'i32', shape: [], data: Int32Array.of(3) },
      ],
      { shape: ['B', 7], stream: 4 },
      { B: 3 },
    ));
});
