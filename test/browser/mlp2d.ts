/**
 * The sampler the browser tests run: examples/mlp2d.dn's DDIM with 4 steps instead of 50, batch 64,
 * seeded random weights, compiled as `denoc compile --target webgpu` does (default pipeline, then
 * the artifact writer), plus its reference-executor sample for a seed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSampler } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { compileSource } from '../../dsl/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { writeWebGPUArtifacts } from '../../targets/webgpu/compile.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

export const BATCH = 64;
export const STEPS = 4;

export interface CompiledSampler {
  /** The sampler as the front end lowered it (before any pass), for the reference executor. */
  readonly source: Graph;
  readonly weights: WeightSet;
  readonly dir: string;
}

export async function compileMlp2d(): Promise<CompiledSampler> {
  const text = readFileSync('examples/mlp2d.dn', 'utf8');
  if (!text.includes('steps: 50)')) throw new Error("examples/mlp2d.dn no longer contains 'steps: 50)'; update this test");
  const program = compileSource(text.replace('steps: 50)', `steps: ${STEPS})`), 'examples/mlp2d.dn');
  const sampler = program.samplers[0];
  const model = program.models.find((m) => m.name === sampler.modelName)!;
  const weights = initWeights(model.parameters, 3);
  const dir = mkdtempSync(join(tmpdir(), 'denoc-mlp2d-webgpu-'));
  await writeWebGPUArtifacts(compileSampler(sampler.graph), weights, dir, { dims: { B: BATCH } });
  return { source: sampler.graph, weights, dir };
}

/** The reference executor's sample for `seed` (the sampler's only input). */
export async function referenceSample(s: CompiledSampler, seed: number): Promise<Float32Array> {
  const [out] = await runGraph(s.source, { inputs: { seed: { data: Int32Array.of(seed), shape: [] } }, weights: s.weights, dims: { B: BATCH } });
  const data = Float32Array.from(out.dataSync());
  out.dispose();
  return data;
}

/** Largest |value|, for the sample tolerance 1e-4·max|ref| + 1e-4·|ref| (docs/targets.md). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
