// Per-op conformance: every catalog op compiled to ONNX runs on onnxruntime-node and on the reference
// executor with the same inputs; results must agree within tolerance (the cases of the WebGPU suite).
// SKIPS lists ops with no case here and why; a test checks that every registered op is covered.
import { describe, expect, it } from 'vitest';
import { allOps } from '../../compiler/core/ops/registry.ts';
import { runOnOnnx } from '../../runtime/onnx/session.ts';
import { compileForOnnx } from '../../targets/onnx/compile.ts';
import { CASES, graphOf } from '../helpers/op-cases.ts';
import { expectClose, reference } from '../webgpu/compare.ts';

/** Ops with no case in test/helpers/op-cases.ts, and why. */
const SKIPS: Record<string, string> = {
  param: 'structural: every case reads params',
  weight: 'structural: covered by test/onnx/executor.test.ts',
  constant: 'structural: every case with a scalar uses one',
  loop: 'structural: covered by test/onnx/executor.test.ts (unrolled loops)',
  tuple_get: 'structural: covered by test/onnx/executor.test.ts',
  kernel: 'written by the WebGPU fuse pass: covered by the inlined-kernel case in executor.test.ts',
};

describe('ONNX op conformance vs the reference executor', () => {
  it('covers every registered op or lists it as skipped with a reason', () => {
    const covered = new Set([...CASES.map((c) => c.op), ...Object.keys(SKIPS)]);
    expect(
      allOps()
        .map((o) => o.name)
        .filter((n) => !covered.has(n)),
    ).toEqual([]);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const graph = graphOf(c);
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, { data: v.data, shape: v.shape }]));
    const [expected] = await reference(graph, inputs);
    const [actual] = await runOnOnnx(compileForOnnx(graph), { inputs: Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.data])) });
    expectClose(actual, expected, c.tol, c.name);
  });
});
