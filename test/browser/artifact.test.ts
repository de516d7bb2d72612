// web/artifact.ts rebuilds a runnable plan from the files `denoc compile --target webgpu` writes.
// Checked without a browser: the rebuilt plan equals the compiler's in-memory plan field by field,
// constant buffers get the element type their kernels declare, weights come back from the
// safetensors bytes, and a broken artifact is a WG0210 DenocError.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { writeSafetensors } from '../../compiler/core/safetensors.ts';
import { planFromArtifact, weightsFromArtifact, type PlanJson } from '../../web/artifact.ts';
import { compileSampler } from '../../compiler/compile.ts';
import { BATCH, compileMlp2d } from './mlp2d.ts';
import { tensor } from '../../compiler/core/tensor.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DenocError ? e.diagnostics[0].code : `not a DenocError: ${String(e)}`;
  }
  return undefined;
}

/** A hand-written two-kernel plan.json whose constant buffers are read as i32 and as f32. */
function constantsPlan(): { json: PlanJson; wgsl: Map<string, string> } {
  const kernel = (file: string) => ({
    name: file,
    file,
    template: 'elementwise' as const,
    workgroupSize: 64,
    workgroups: [1, 1, 1] as [number, number, number],
    bindings: [
      { binding: 0, role: 'out' as const, param: -1 },
      { binding: 1, role: 'in' as const, param: 0 },
    ],
    stepUniformVec4s: 0,
    flops: 0,
  });
  const decl = (t: string) =>
    `@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@group(0) @binding(1) var<storage, read> in0: array<${t}>;\n`;
  const json: PlanJson = {
    name: 'consts',
    inputs: [],
    weights: [],
    outputs: [{ slot: 2, dtype: 'f32', shape: [20], name: 'output0' }],
    buffers: [
      { id: 0, bytes: 80, kind: 'constant', holds: ['c0'], init: { constant: Array.from({ length: 20 }, (_, i) => i * 3) } },
      { id: 1, bytes: 80, kind: 'constant', holds: ['c1'], init: { constant: Array.from({ length: 20 }, (_, i) => i / 4) } },
      { id: 2, bytes: 80, kind: 'scratch', holds: ['out'], init: { kind: 'scratch' } },
    ],
    kernels: [kernel('k_int.wgsl'), kernel('k_float.wgsl')],
    steps: [
      { dispatch: 0, buffers: [{ buffer: 2 }, { buffer: 0 }] },
      { dispatch: 1, buffers: [{ buffer: 2 }, { buffer: 1 }] },
    ],
  };
  return {
    json,
    wgsl: new Map([
      ['k_int.wgsl', decl('i32')],
      ['k_float.wgsl', decl('f32')],
    ]),
  };
}

describe('rebuilding a WebGPU plan from compiled artifacts', () => {
  it("equals the compiler's plan for mlp2d (buffers, kernels, steps, tensors)", async () => {
    const compiled = await compileMlp2d();
    try {
      const json = JSON.parse(readFileSync(join(compiled.dir, 'plan.json'), 'utf8')) as PlanJson;
      const wgsl = new Map(json.kernels.map((k) => [k.file, readFileSync(join(compiled.dir, k.file), 'utf8')]));
      const rebuilt = planFromArtifact(json, wgsl);
      const plan = compileForWebGPU(compileSampler(compiled.source), { dims: { B: BATCH } });
      expect(rebuilt.steps).toEqual(plan.steps);
      expect(rebuilt.buffers).toEqual(plan.buffers);
      expect(rebuilt.inputs).toEqual(plan.inputs);
      expect(rebuilt.weights).toEqual(plan.weights);
      expect(rebuilt.outputs).toEqual(plan.outputs);
      expect(rebuilt.kernels.length).toBe(plan.kernels.length);
      rebuilt.kernels.forEach((k, i) => {
        const { key: _key, wgsl: code, ...rest } = plan.kernels[i];
        expect(k).toMatchObject(rest);
        expect(k.wgsl.endsWith(code)).toBe(true);
      });
      const weights = weightsFromArtifact(readFileSync(join(compiled.dir, 'weights.safetensors')), rebuilt);
      for (const w of plan.weights) expect(weights.get(w.name)).toEqual(compiled.weights.get(w.name));
    } finally {
      rmSync(compiled.dir, { recursive: true, force: true });
    }
  });

  it('gives constant buffers the element type their kernels declare', () => {
    const { json, wgsl } = constantsPlan();
    const [c0, c1] = planFromArtifact(json, wgsl).buffers;
    if (c0.init.kind !== 'constant' || c1.init.kind !== 'constant') throw new Error('constants lost');
    expect(c0.init.data).toBeInstanceOf(Int32Array);
    expect(Array.from(c0.init.data)).toEqual(Array.from({ length: 20 }, (_, i) => i * 3));
    expect(c1.init.data).toBeInstanceOf(Float32Array);
    expect(c1.init.data[5]).toBe(1.25);
  });

  it('reports a missing kernel file or weight as WG0210', () => {
    const { json, wgsl } = constantsPlan();
    wgsl.delete('k_float.wgsl');
    expect(codeOf(() => planFromArtifact(json, wgsl))).toBe('WG0210');
    expect(codeOf(() => planFromArtifact({ ...json, steps: undefined } as unknown as PlanJson, wgsl))).toBe('WG0210');
    const bytes = writeSafetensors(new Map([['a', tensor([2], Float32Array.of(1, 2))]]));
    const fresh = constantsPlan();
    const plan = { ...planFromArtifact(fresh.json, fresh.wgsl), weights: [{ slot: 0, dtype: 'f32' as const, shape: [2], name: 'b' }] };
    expect(codeOf(() => weightsFromArtifact(bytes, plan))).toBe('WG0210');
  });
});
