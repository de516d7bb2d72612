// Every VJP of the op registry, checked two ways on random inputs (broadcasting, strides, padding,
// dilation and groups among them): the autodiff's gradient of sum(op(x…)·r), run on the reference
// executor, against tfjs' own gradients of the op's reference kernel, and against central finite
// differences of the forward graph at sampled coordinates. Also: every op has a VJP or says why not,
// and every op with a VJP is covered here.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { grad } from '../../compiler/autodiff/grad.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { tensorOf, type Attrs, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { tensorType, type DType } from '../../compiler/core/ir/types.ts';
import '../../compiler/core/ops/index.ts';
import { allOps, getOp, normalizeAttrs } from '../../compiler/core/ops/registry.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { referenceKernel } from '../../compiler/semantics/kernels/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { prod, rand, useBackend } from '../ops/helpers.ts';

interface In {
  readonly shape: number[];
  readonly dtype?: DType;
  readonly lo?: number;
  readonly hi?: number;
  readonly values?: number[];
}
interface Case {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly In[];
  readonly attrs?: Attrs;
  /** Why tfjs cannot give the gradient to compare with (finite differences still check the case). */
  readonly tfjsCannot?: string;
}

const f = (...shape: number[]): In => ({ shape });
const pos = (...shape: number[]): In => ({ shape, lo: 0.5, hi: 2 });

const UNARY = ['neg', 'abs', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'silu', 'relu', 'square'];
const CASES: readonly Case[] = [
  ...UNARY.map((op) => ({ name: op, op, inputs: [f(2, 3)] })),
  ...['log', 'sqrt', 'rsqrt'].map((op) => ({ name: op, op, inputs: [pos(2, 3)] })),
  { name: 'gelu (tanh)', op: 'gelu', inputs: [f(2, 3)] },
  { name: 'cast f32→f32', op: 'cast', inputs: [f(2, 3)], attrs: { dtype: 'f32' } },
  ...['add', 'sub', 'mul', 'div'].map((op) => ({ name: `${op} broadcasting`, op, inputs: [f(2, 1, 3), op === 'div' ? pos(4, 1) : f(4, 1)] })),
  ...['min', 'max'].flatMap((op) => [
    { name: op, op, inputs: [f(2, 3), f(2, 3)] },
    {
      name: `${op} broadcasting`,
      op,
      inputs: [f(2, 1, 3), f(4, 1)],
      tfjsCannot: `tfjs' ${op === 'min' ? 'Minimum' : 'Maximum'} gradient does not sum broadcast dims`,
    },
  ]),
  { name: 'pow broadcasting', op: 'pow', inputs: [pos(2, 3), f(3)] },
  { name: 'where broadcasting', op: 'where', inputs: [{ shape: [2, 3], dtype: 'bool', values: [1, 0, 1, 1, 0, 0] }, f(2, 3), f(3)] },
  { name: 'broadcast_to', op: 'broadcast_to', inputs: [f(3, 1)], attrs: { shape: [2, 3, 4] } },
  ...['sum', 'mean', 'reduce_max', 'variance'].flatMap((op) => [
    { name: `${op} axis 1`, op, inputs: [f(2, 3, 4)], attrs: { axes: [1] } },
    { name: `${op} axes 0,2 kept`, op, inputs: [f(2, 3, 4)], attrs: { axes: [0, -1], keepdims: true } },
  ]),
  { name: 'softmax last axis', op: 'softmax', inputs: [f(2, 5)] },
  { name: 'softmax axis 0', op: 'softmax', inputs: [f(3, 4)], attrs: { axis: 0 } },
  { name: 'reshape', op: 'reshape', inputs: [f(2, 6)], attrs: { shape: [3, 4] } },
  { name: 'transpose', op: 'transpose', inputs: [f(2, 3, 4)], attrs: { perm: [2, 0, 1] } },
  { name: 'concat', op: 'concat', inputs: [f(2, 3), f(2, 2), f(2, 1)], attrs: { axis: 1 } },
  {
    name: 'slice',
    op: 'slice',
    inputs: [f(3, 6, 5)],
    attrs: { begin: [1, 0, -4], end: [3, 4, 5], step: [1, 1, 1] },
    tfjsCannot: 'the slice kernel runs tfjs StridedSlice, which has no gradient',
  },
  {
    name: 'slice with steps',
    op: 'slice',
    inputs: [f(3, 6, 5)],
    attrs: { begin: [0, 1, -4], end: [2, 6, 5], step: [1, 2, 3] },
    tfjsCannot: 'tfjs has no StridedSlice gradient',
  },
  { name: 'pad', op: 'pad', inputs: [f(2, 3)], attrs: { pads: [1, 0, 2, 1] } },
  { name: 'gather rows', op: 'gather', inputs: [f(5, 3), { shape: [2, 2], dtype: 'i32', values: [4, 0, 4, 2] }] },
  {
    name: 'upsample_nearest',
    op: 'upsample_nearest',
    inputs: [f(1, 2, 3, 3)],
    tfjsCannot: "tfjs' tile gradient stops at rank 5; the kernel tiles at rank 6",
  },
  { name: 'matmul batch broadcast', op: 'matmul', inputs: [f(2, 3, 4), f(4, 5)] },
  { name: 'matmul transposeA', op: 'matmul', inputs: [f(4, 3), f(2, 4, 5)], attrs: { transposeA: true } },
  { name: 'matmul transposeB', op: 'matmul', inputs: [f(3, 4), f(5, 4)], attrs: { transposeB: true } },
  { name: 'matmul both transposed', op: 'matmul', inputs: [f(2, 4, 3), f(5, 4)], attrs: { transposeA: true, transposeB: true } },
  {
    name: 'conv2d stride 2, pad 1, groups 2, bias',
    op: 'conv2d',
    inputs: [f(2, 4, 7, 6), f(6, 2, 3, 3), f(6)],
    attrs: { stride: [2, 2], pad: [1, 1], groups: 2 },
  },
  {
    name: 'conv2d dilation 2, stride (1,2), pad 2',
    op: 'conv2d',
    inputs: [f(1, 3, 8, 9), f(2, 3, 3, 2)],
    attrs: { stride: [1, 2], pad: [2, 2], dilation: [2, 2] },
  },
  { name: 'conv2d 1×1', op: 'conv2d', inputs: [f(2, 3, 4, 4), f(5, 3, 1, 1), f(5)] },
  {
    name: 'conv2d 3×3 stride 1, pad 1 (the input gradient as one padded correlation)',
    op: 'conv2d',
    inputs: [f(2, 3, 5, 6), f(4, 3, 3, 3)],
    attrs: { pad: [1, 1] },
  },
  {
    name: 'conv2d dilation 2, stride 1, pad (1,3), groups 3',
    op: 'conv2d',
    inputs: [f(1, 3, 8, 9), f(6, 1, 3, 2)],
    attrs: { pad: [1, 3], dilation: [2, 2], groups: 3 },
  },
  { name: 'avg_pool2d 2×2', op: 'avg_pool2d', inputs: [f(1, 2, 6, 6)] },
  { name: 'avg_pool2d 3×3 stride 2', op: 'avg_pool2d', inputs: [f(1, 2, 7, 7)], attrs: { kernel: [3, 3], stride: [2, 2] } },
  { name: 'group_norm', op: 'group_norm', inputs: [f(2, 4, 3, 3), f(4), f(4)], attrs: { groups: 2 } },
  { name: 'layer_norm', op: 'layer_norm', inputs: [f(2, 3, 5), f(5), f(5)] },
  { name: 'layer_norm without affine', op: 'layer_norm', inputs: [f(3, 4)] },
  { name: 'batch_norm', op: 'batch_norm', inputs: [f(2, 3, 4, 4), f(3), pos(3), f(3), f(3)] },
  { name: 'attention', op: 'attention', inputs: [f(2, 3, 4), f(2, 5, 4), f(2, 5, 6)] },
  { name: 'timestep_embedding', op: 'timestep_embedding', inputs: [{ shape: [3], lo: 0, hi: 3 }], attrs: { dim: 8 } },
];

const isFloatIn = (i: In): boolean => (i.dtype ?? 'f32') === 'f32';

function dataOf(i: In, seed: number): Float32Array | Int32Array {
  if (i.values) return i.dtype === 'f32' || !i.dtype ? Float32Array.from(i.values) : Int32Array.from(i.values);
  return rand(prod(i.shape), seed, i.lo ?? -1, i.hi ?? 1);
}

/** loss(x…) = Σ op(x…)·r with a fixed random r, as a graph with one param per input. */
function lossGraph(c: Case, r: Float32Array): { graph: Graph; names: string[] } {
  const b = new GraphBuilder(c.name.replace(/\W+/g, '_'));
  const names = c.inputs.map((_, i) => `x${i}`);
  const params = c.inputs.map((i, k) => b.param(names[k], tensorType(i.dtype ?? 'f32', i.shape)));
  const y = b.op(c.op, params, c.attrs ?? {});
  const shape = tensorOf(y).shape as number[];
  const weighted = b.op('mul', [y, b.constant(r, shape)]);
  const loss: Node = shape.length ? b.op('sum', [weighted], { axes: shape.map((_, i) => i) }) : weighted;
  return { graph: b.finish([loss]), names };
}

function outShape(c: Case): number[] {
  const b = new GraphBuilder('shape');
  const y = b.op(
    c.op,
    c.inputs.map((i, k) => b.param(`x${k}`, tensorType(i.dtype ?? 'f32', i.shape))),
    c.attrs ?? {},
  );
  return tensorOf(y).shape as number[];
}

async function run(graph: Graph, inputs: Record<string, Float32Array | Int32Array>): Promise<Float32Array[]> {
  const outs = await runGraph(graph, { inputs });
  const data = outs.map((o) => Float32Array.from(o.dataSync() as ArrayLike<number>));
  tf.dispose(outs);
  return data;
}

/** tfjs' gradients of Σ kernel(x…)·r with respect to the float inputs. */
function tfjsGradients(c: Case, data: (Float32Array | Int32Array)[], r: Float32Array, shape: number[]): Float32Array[] {
  const attrs = normalizeAttrs(getOp(c.op), c.attrs ?? {});
  const kernel = referenceKernel(c.op)!;
  const tensors = c.inputs.map((i, k) => tf.tensor(data[k], i.shape, i.dtype === 'i32' ? 'int32' : i.dtype === 'bool' ? 'bool' : 'float32'));
  const floats = c.inputs.flatMap((i, k) => (isFloatIn(i) ? [k] : []));
  const fn = (...xs: tf.Tensor[]): tf.Scalar => {
    const args = tensors.map((t, k) => (floats.includes(k) ? xs[floats.indexOf(k)] : t));
    return tf.sum(tf.mul(kernel(args, attrs, { dims: {} }), tf.tensor(r, shape)));
  };
  const grads = tf.grads(fn)(floats.map((k) => tensors[k]));
  const out = grads.map((g) => Float32Array.from(g.dataSync()));
  tf.dispose([...grads, ...tensors]);
  return out;
}

const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

function expectClose(actual: Float32Array, expected: Float32Array, rtol: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1, maxAbs(expected));
  const worst = Array.from(actual).reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
  expect(worst, `${what}: max |Δ| ${worst} vs scale ${scale}`).toBeLessThanOrEqual(rtol * scale);
}

beforeAll(async () => {
  await useBackend();
  await ensureGradients();
});

describe('VJP coverage', () => {
  it('gives every registered op a VJP or a reason why it has none, never both', () => {
    for (const def of allOps()) {
      expect(Boolean(def.vjp) !== Boolean(def.noVjp), `${def.name}: vjp ${Boolean(def.vjp)}, noVjp ${JSON.stringify(def.noVjp)}`).toBe(true);
    }
  });

  it('checks every op that has a float input and a VJP in the table below', () => {
    const covered = new Set(CASES.map((c) => c.op));
    const missing = allOps()
      .filter((d) => d.vjp && d.name !== 'randn' && !covered.has(d.name))
      .map((d) => d.name);
    expect(missing).toEqual([]);
  });
});

describe.each(CASES)('VJP of $name', (c) => {
  const data = c.inputs.map((i, k) => dataOf(i, 17 + 31 * k));
  const shape = outShape(c);
  const r = rand(prod(shape), 5);
  const { graph, names } = lossGraph(c, r);
  const wrt = names.filter((_, k) => isFloatIn(c.inputs[k]));
  const inputs = Object.fromEntries(names.map((n, k) => [n, data[k]]));

  it.skipIf(c.tfjsCannot !== undefined)('equals tfjs gradients of the reference kernel', async () => {
    const g = grad(graph, { wrt });
    const [, ...ours] = await run(g.graph, inputs);
    const theirs = tfjsGradients(c, data, r, shape);
    ours.forEach((o, k) => expectClose(o, theirs[k], 2e-4, `d/d${wrt[k]}`));
  });

  it('matches central finite differences at sampled coordinates', async () => {
    const g = grad(graph, { wrt });
    const [, ...ours] = await run(g.graph, inputs);
    for (const [k, name] of wrt.entries()) {
      const x = inputs[name] as Float32Array;
      for (const j of [0, Math.floor(x.length / 2), x.length - 1]) {
        const h = 1e-2 * Math.max(1, Math.abs(x[j]));
        const at = async (v: number): Promise<number> => {
          const moved = Float32Array.from(x);
          moved[j] = v;
          return (await run(graph, { ...inputs, [name]: moved }))[0][0];
        };
        const fd = ((await at(x[j] + h)) - (await at(x[j] - h))) / (2 * h);
        expect(Math.abs(fd - ours[k][j]), `d/d${name}[${j}]: fd ${fd}, autodiff ${ours[k][j]}`).toBeLessThanOrEqual(2e-2 * Math.max(1, Math.abs(fd)));
      }
    }
  });
});
