// The reference executor against plain-JS computations: straight-line graphs, loop recurrences,
// dims binding and its errors, no tensor leaks, and cpu vs wasm agreement.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { runGraph, type RunOptions } from '../../runtime/reference/executor.ts';
import { tensor } from '../../compiler/core/tensor.ts';

const f32 = (...shape: (number | string)[]) => tensorType('f32', shape);

async function run(graph: Graph, opts: RunOptions): Promise<Float32Array[]> {
  const outs = await runGraph(graph, opts);
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DenocError);
    return (e as DenocError).diagnostics[0].code;
  }
  throw new Error('expected a DenocError');
}

/** y = relu(x @ W + b) for x: f32[B,3], W: f32[3,2]. */
function linearRelu(): Graph {
  const b = new GraphBuilder('lin');
  const x = b.param('x', f32('B', 3));
  const y = b.op('add', [b.op('matmul', [x, b.weight('w', f32(3, 2))]), b.weight('b', f32(2))]);
  return b.finish([b.op('relu', [y])]);
}
const W = Float32Array.of(1, -1, 0.5, 2, -2, 0.25);
const BIAS = Float32Array.of(0.1, -3);

/** x ← a[i]·x + c[i]·y for i = 0..n-1 (tables captured), the classic sampler update shape. */
function recurrence(n: number): Graph {
  const b = new GraphBuilder('rec');
  const x = b.param('x', f32('B', 2));
  const y = b.param('y', f32('B', 2));
  const a = b.constant(
    Float32Array.from({ length: n }, (_, i) => 0.9 - 0.05 * i),
    [n],
  );
  const c = b.constant(
    Float32Array.from({ length: n }, (_, i) => 0.1 * (i + 1)),
    [n],
  );
  const [out] = b.loop(n, [x], [a, c, y], (bb, { iter, carried, captures }) => {
    const ai = bb.op('gather', [captures[0], iter], { axis: 0 });
    const ci = bb.op('gather', [captures[1], iter], { axis: 0 });
    return [bb.op('add', [bb.op('mul', [carried[0], ai]), bb.op('mul', [captures[2], ci])])];
  });
  return b.finish([out]);
}

describe('runGraph', () => {
  it('computes a linear layer with relu like a plain loop', async () => {
    const x = Float32Array.of(1, 2, 3, -1, 0.5, 4);
    const [got] = await run(linearRelu(), {
      inputs: { x: { data: x, shape: [2, 3] } },
      weights: new Map([
        ['w', tensor([3, 2], W)],
        ['b', tensor([2], BIAS)],
      ]),
    });
    const want: number[] = [];
    for (let r = 0; r < 2; r++) {
      for (let j = 0; j < 2; j++) {
        let s = BIAS[j];
        for (let k = 0; k < 3; k++) s += x[r * 3 + k] * W[k * 2 + j];
        want.push(Math.max(0, s));
      }
    }
    want.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
  });

  it('runs a loop recurrence exactly like a JS loop in f32', async () => {
    const n = 7;
    const x0 = [0.3, -1.2, 2.5, 0.7];
    const y = [1, 0.5, -0.25, 2];
    const [got] = await run(recurrence(n), { inputs: { x: { data: x0, shape: [2, 2] }, y: { data: y, shape: [2, 2] } } });
    const f = Math.fround;
    const want = x0.map((v, k) => {
      let xv = f(v);
      for (let i = 0; i < n; i++) xv = f(f(xv * f(0.9 - 0.05 * i)) + f(f(y[k]) * f(0.1 * (i + 1))));
      return xv;
    });
    expect(Array.from(got)).toEqual(want);
  });

  it('carries several values, swaps them, and nests loops (Fibonacci in i32)', async () => {
    const b = new GraphBuilder('fib');
    const a0 = b.param('a', tensorType('i32', []));
    const one = b.scalar(1, 'i32');
    const [fa, fb] = b.loop(3, [a0, one], [], (ob, o) =>
      ob.loop(4, [o.carried[0], o.carried[1]], [], (ib, i) => [i.carried[1], ib.op('add', [i.carried[0], i.carried[1]])]),
    );
    const outs = await runGraph(b.finish([fa, fb]), { inputs: { a: { data: [0], shape: [] } } });
    const fib = [0, 1];
    for (let i = 0; i < 12; i++) fib.push(fib[fib.length - 1] + fib[fib.length - 2]);
    expect([outs[0].dataSync()[0], outs[1].dataSync()[0]]).toEqual([fib[12], fib[13]]);
    expect(outs[0].dtype).toBe('int32');
    tf.dispose(outs);
  });

  it('returns the initial values for a zero-step loop and reports steps of the top loop', async () => {
    const steps: [number, number][] = [];
    const [zero] = await run(recurrence(0), { inputs: { x: Float32Array.of(1, 2, 3, 4), y: { data: [0, 0, 0, 0], shape: [2, 2] } } });
    expect(Array.from(zero)).toEqual([1, 2, 3, 4]);
    await run(recurrence(3), {
      inputs: { x: { data: [1, 2], shape: [1, 2] }, y: { data: [0, 0], shape: [1, 2] } },
      onStep: (i, n) => steps.push([i, n]),
    });
    expect(steps).toEqual([
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
  });

  it('binds dims from inputs and feeds them to kernels (randn shape [B, 2])', async () => {
    const b = new GraphBuilder('noise');
    const seed = b.param('seed', tensorType('i32', []));
    const y = b.param('y', f32('B'));
    const noise = b.op('randn', [seed], { shape: ['B', 2] });
    const outs = await runGraph(b.finish([noise, y]), { inputs: { seed: { data: [5], shape: [] }, y: { data: [1, 2, 3], shape: [3] } } });
    expect(outs[0].shape).toEqual([3, 2]);
    tf.dispose(outs);
  });

  it('rejects a dim bound two different ways, naming both sources', async () => {
    const inputs = { x: { data: new Float32Array(4), shape: [2, 2] }, y: { data: new Float32Array(6), shape: [3, 2] } };
    await expect(runGraph(recurrence(2), { inputs })).rejects.toThrow(/dim 'B' is 2 from input 'x' but 3 from input 'y'/);
    const ok = { x: inputs.x, y: { data: new Float32Array(4), shape: [2, 2] } };
    await expect(runGraph(recurrence(2), { inputs: ok, dims: { B: 5 } })).rejects.toThrow(/dim 'B' is 5 from dims but 2 from input 'x'/);
  });

  it('reports missing, unknown and ill-shaped inputs and weights with codes', async () => {
    const x = { data: new Float32Array(6), shape: [2, 3] };
    const weights = new Map([
      ['w', tensor([3, 2], W)],
      ['b', tensor([2], BIAS)],
    ]);
    expect(await codeOf(runGraph(linearRelu(), { inputs: {}, weights }))).toBe('REF0201');
    expect(await codeOf(runGraph(linearRelu(), { inputs: { x, z: x }, weights }))).toBe('REF0202');
    expect(await codeOf(runGraph(linearRelu(), { inputs: { x: { data: new Float32Array(6), shape: [6] } }, weights }))).toBe('REF0203');
    expect(await codeOf(runGraph(linearRelu(), { inputs: { x: { data: new Float32Array(4), shape: [2, 3] } }, weights }))).toBe('REF0203');
    expect(await codeOf(runGraph(linearRelu(), { inputs: { x }, weights: new Map([['w', tensor([3, 2], W)]]) }))).toBe('REF0205');
    expect(
      await codeOf(
        runGraph(linearRelu(), {
          inputs: { x },
          weights: new Map([
            ['w', tensor([5], new Float32Array(5))],
            ['b', tensor([2], BIAS)],
          ]),
        }),
      ),
    ).toBe('REF0203');
    const transposed = new Map([
      ['w', tensor([2, 3], W)],
      ['b', tensor([2], BIAS)],
    ]);
    await expect(runGraph(linearRelu(), { inputs: { x }, weights: transposed })).rejects.toThrow(
      /weight 'w' has shape \[2,3\] but the graph expects f32\[3,2\]/,
    );
    expect(await codeOf(runGraph(linearRelu(), { inputs: { x: new Float32Array(6) }, weights }))).toBe('REF0209');
  });

  it("leaks no tensor, on success and on failure, and never frees the caller's tensors", async () => {
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.tensor([0.5, 0.5, 1, 1], [2, 2]);
    const before = tf.memory().numTensors;
    const outs = await runGraph(recurrence(20), { inputs: { x, y } });
    tf.dispose(outs);
    expect(tf.memory().numTensors).toBe(before);
    await expect(runGraph(linearRelu(), { inputs: { x: tf.zeros([2, 3]) }, weights: new Map([['w', tensor([3, 2], W)]]) })).rejects.toThrow(
      DenocError,
    );
    expect(tf.memory().numTensors).toBe(before + 1);
    const b = new GraphBuilder('id');
    const p = b.param('p', f32(2, 2));
    const [same] = await runGraph(b.finish([p]), { inputs: { p: x } });
    same.dispose();
    expect(x.isDisposed).toBe(false);
    expect(Array.from(x.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([x, y]);
  });

  it('agrees between the cpu and wasm backends on a conv/norm/matmul sampler step', async () => {
    const b = new GraphBuilder('convnet');
    const x = b.param('x', f32('B', 2, 6, 6));
    const [out] = b.loop(3, [x], [], (bb, { carried }) => {
      const h = bb.op('conv2d', [carried[0], bb.weight('c.w', f32(4, 2, 3, 3)), bb.weight('c.b', f32(4))], { pad: [1, 1] });
      const n = bb.op('silu', [bb.op('group_norm', [h, bb.weight('n.g', f32(4)), bb.weight('n.b', f32(4))], { groups: 2 })]);
      const back = bb.op('conv2d', [n, bb.weight('o.w', f32(2, 4, 1, 1))]);
      return [bb.op('sub', [carried[0], bb.op('mul', [back, bb.scalar(0.1)])])];
    });
    const rand = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s) * 0.5);
    const weights = new Map([
      ['c.w', tensor([4, 2, 3, 3], rand(72, 1))],
      ['c.b', tensor([4], rand(4, 2))],
      ['n.g', tensor([4], rand(4, 3))],
      ['n.b', tensor([4], rand(4, 4))],
      ['o.w', tensor([2, 4, 1, 1], rand(8, 5))],
    ]);
    const opts = { inputs: { x: { data: rand(144, 6), shape: [2, 2, 6, 6] } }, weights };
    const [cpu] = await run(b.finish([out]), { ...opts, backend: 'cpu' });
    const [wasm] = await run(b.finish([out]), { ...opts, backend: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const maxDiff = cpu.reduce((m, v, i) => Math.max(m, Math.abs(v - wasm[i])), 0);
    expect(maxDiff).toBeLessThan(1e-4);
    expect(cpu.some((v) => v !== 0)).toBe(true);
  });
});
