// Per-op conformance: every catalog op runs on WebGPU (one kernel per op, and fused where the case
// fuses) and on the reference executor with the same inputs; results must agree within tolerance.
// SKIPS lists ops with no case here and why; a test checks that every registered op is covered.
import { describe, expect, it } from 'vitest';
import { allOps } from '../../compiler/core/ops/registry.ts';
import { runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { DEFAULT_CAPABILITIES } from '../../targets/webgpu/capabilities.ts';
import { CASES, graphOf } from '../helpers/op-cases.ts';
import { expectClose, reference } from './compare.ts';
import { gpuForTests } from './gpu.ts';

const gpu = await gpuForTests();

/** Ops with no case in test/helpers/op-cases.ts, and why. */
const SKIPS: Record<string, string> = {
  param: 'structural: every case reads params',
  weight: 'structural: covered by the executor tests',
  constant: 'structural: every case with a scalar uses one',
  loop: 'structural: covered by the executor tests',
  tuple_get: 'structural: covered by the executor tests',
  kernel: 'written by the fuse pass, not a catalog op',
};

describe.skipIf(!gpu)('WebGPU op conformance vs the reference executor', () => {
  it('covers every registered op or lists it as skipped with a reason', () => {
    const covered = new Set([...CASES.map((c) => c.op), ...Object.keys(SKIPS)]);
    expect(
      allOps()
        .map((o) => o.name)
        .filter((n) => !covered.has(n)),
    ).toEqual([]);
  });

  // Every case runs with the GPU-style kernels (shared-memory tiles) and the CPU-style ones.
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const graph = graphOf(c);
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, { data: v.data, shape: v.shape }]));
    const [expected] = await reference(graph, inputs);
    for (const software of [false, true]) {
      const plan = compileForWebGPU(graph, { fuse: false, caps: { ...DEFAULT_CAPABILITIES, software } });
      const [actual] = await runOnWebGPU(plan, { inputs: Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.data])) });
      expectClose(actual, expected, c.tol, `${c.name} (${software ? 'CPU' : 'GPU'}-style kernels)`);
    }
  });
});
