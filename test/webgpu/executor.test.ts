// The WebGPU executor on hand-built graphs: sampling-loop machinery (carried ping-pong buffers,
// per-step coefficient uniforms, GPU Philox noise) against plain JS loops, artifacts, and the
// errors a caller can trigger.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { emitWebGPUArtifacts } from '../../targets/webgpu/emit.ts';
import { expectClose } from './compare.ts';
import { gpuForTests } from './gpu.ts';
import { tensor } from '../../compiler/core/tensor.ts';

const gpu = await gpuForTests();

/** c ← c·table[i] + sin(c) for i < count, with the table a compile-time constant. */
function recurrenceGraph(count: number, table: Float32Array) {
  const b = new GraphBuilder('recurrence');
  const x = b.param('x', t('f32', [5]));
  const [y] = b.loop(count, [x], [], (bb, { iter, carried }) => {
    const coef = bb.op('gather', [bb.constant(table, [table.length]), iter]);
    return [bb.op('add', [bb.op('mul', [carried[0], coef]), bb.op('sin', [carried[0]])])];
  });
  return b.finish([y]);
}

async function errorCode(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof DenocError ? e.diagnostics[0].code : `not a DenocError: ${String(e)}`;
  }
  return undefined;
}

describe.skipIf(!gpu)('WebGPU executor', () => {
  it('runs a sampling-style loop like a plain JS loop, coefficients from per-step uniforms', async () => {
    const table = Float32Array.from({ length: 7 }, (_, i) => 0.9 - 0.05 * i);
    const plan = compileForWebGPU(recurrenceGraph(7, table));
    const x = [0.5, -1, 2, 0.1, -0.3];
    const [out] = await runOnWebGPU(plan, { inputs: { x } });
    const expected = x.map((v) => {
      let c = v;
      for (let i = 0; i < 7; i++) c = c * table[i] + Math.sin(c);
      return c;
    });
    expectClose(out, expected, { rtol: 1e-5, atol: 1e-6 });
    const body = plan.kernels.find((k) => k.bindings.some((bd) => bd.role === 'step'));
    expect(body, 'the loop-body kernel reads the per-step uniform block').toBeDefined();
    expect(body!.bindings.filter((bd) => bd.role === 'in')).toHaveLength(1);
  });

  it('swaps carried values through ping-pong buffers (a Fibonacci pair)', async () => {
    const b = new GraphBuilder('fib');
    const a0 = b.param('a', t('f32', [3]));
    const b0 = b.param('b', t('f32', [3]));
    const [a, c] = b.loop(9, [a0, b0], [], (bb, { carried: [p, q] }) => [q, bb.op('add', [p, q])]);
    const plan = compileForWebGPU(b.finish([a, c]));
    const [oa, ob] = await runOnWebGPU(plan, { inputs: { a: [0, 1, 2], b: [1, 1, -1] } });
    const fib = (x: number, y: number): [number, number] => {
      for (let i = 0; i < 9; i++) [x, y] = [y, x + y];
      return [x, y];
    };
    const want = [fib(0, 1), fib(1, 1), fib(2, -1)];
    expect(Array.from(oa)).toEqual(want.map((p) => p[0]));
    expect(Array.from(ob)).toEqual(want.map((p) => p[1]));
  });

  it('keeps a loop result that is only read after an odd number of steps', async () => {
    const b = new GraphBuilder('odd');
    const x = b.param('x', t('f32', [4]));
    const [y] = b.loop(3, [x], [], (bb, { carried }) => [bb.op('mul', [carried[0], bb.scalar(2)])]);
    const plan = compileForWebGPU(b.finish([b.op('add', [y, x])]));
    const [out] = await runOnWebGPU(plan, { inputs: { x: [1, 2, 3, 4] } });
    expect(Array.from(out)).toEqual([9, 18, 27, 36]);
  });

  it('draws the same noise on the GPU as compiler/core/numeric/rng.ts, inside and outside loops', async () => {
    const b = new GraphBuilder('noise');
    const seed = b.param('seed', t('i32', []));
    const z0 = b.op('randn', [seed], { shape: [2, 50], stream: 3 });
    const [acc] = b.loop(3, [z0], [seed], (bb, { iter, carried, captures }) => [
      bb.op('add', [carried[0], bb.op('randn', [captures[0], iter], { shape: [2, 50], stream: 4 })]),
    ]);
    const plan = compileForWebGPU(b.finish([z0, acc]));
    const [first, sum] = await runOnWebGPU(plan, { inputs: { seed: [987654] } });
    const want0 = randn(987654, 3, 0, 100);
    const wantSum = Float32Array.from(want0);
    for (let i = 0; i < 3; i++)
      randn(987654, 4, i, 100).forEach((v, k) => {
        wantSum[k] = Math.fround(wantSum[k] + v);
      });
    expectClose(first, want0, { rtol: 1e-5, atol: 1e-6 }, 'initial noise');
    expectClose(sum, wantSum, { rtol: 1e-5, atol: 1e-5 }, 'noise added per step');
  });

  it('records the whole sampling loop in one submit, or one per step when progress is asked for', async () => {
    const plan = compileForWebGPU(recurrenceGraph(5, Float32Array.of(1, 1, 1, 1, 1)));
    const queue = gpu!.device.queue;
    const submit = queue.submit.bind(queue);
    let submits = 0;
    queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
      submits++;
      submit(buffers);
    };
    try {
      await runOnWebGPU(plan, { inputs: { x: [1, 2, 3, 4, 5] } });
      expect(submits).toBe(1);
      submits = 0;
      const seen: number[] = [];
      await runOnWebGPU(plan, { inputs: { x: [1, 2, 3, 4, 5] }, onStep: (i) => seen.push(i) });
      expect(submits).toBe(5 + 1);
      expect(seen).toEqual([0, 1, 2, 3, 4]);
    } finally {
      queue.submit = submit;
    }
  });

  it('writes WGSL files and a dispatch plan', () => {
    const plan = compileForWebGPU(recurrenceGraph(4, Float32Array.of(1, 2, 3, 4)));
    const dir = mkdtempSync(join(tmpdir(), 'denoc-webgpu-'));
    const written = emitWebGPUArtifacts(plan, dir);
    expect(readdirSync(join(dir, 'kernels'))).toHaveLength(plan.kernels.length);
    const json = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(json.steps.some((s: { loop?: unknown }) => s.loop)).toBe(true);
    expect(json.buffers).toHaveLength(plan.buffers.length);
    expect(written).toContain(join(dir, 'plan.json'));
    for (const k of json.kernels) expect(readFileSync(join(dir, k.file), 'utf8')).toContain('@compute');
  });

  it('reports missing or mis-sized inputs and weights, and unbound dims, with codes', async () => {
    const b = new GraphBuilder('lin');
    const x = b.param('x', t('f32', ['B', 2]));
    const w = b.weight('w', t('f32', [2, 3]));
    const g = b.finish([b.op('matmul', [x, w])]);
    expect(await errorCode(() => compileForWebGPU(g))).toBe('WG0101');
    const plan = compileForWebGPU(g, { dims: { B: 2 } });
    const weights = new Map([['w', tensor([2, 3], new Float32Array(6))]]);
    expect(await errorCode(runOnWebGPU(plan, { inputs: {}, weights }))).toBe('WG0202');
    expect(await errorCode(runOnWebGPU(plan, { inputs: { x: [1, 2, 3] }, weights }))).toBe('WG0203');
    const plan2 = compileForWebGPU(g, { dims: { B: 2 } });
    expect(await errorCode(runOnWebGPU(plan2, { inputs: { x: [1, 2, 3, 4] } }))).toBe('WG0200');
    const plan3 = compileForWebGPU(g, { dims: { B: 2 } });
    expect(await errorCode(runOnWebGPU(plan3, { inputs: { x: [1, 2, 3, 4] }, weights: new Map([['w', tensor([5], new Float32Array(5))]]) }))).toBe(
      'WG0201',
    );
  });
});
