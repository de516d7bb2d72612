/**
 * Measuring distillation: N-step DDIM samplers of a model for any N (the model's .dn source compiled
 * with extra `ddim(M, steps: N, spacing: "trailing")` lines: the very sampler a user writes, so the
 * numbers are those of the compiled sampler), and the sliced Wasserstein-1 distance of their samples
 * to held-out data (runtime/train/metrics.ts, the metric of docs/training.md).
 */
import { readFileSync } from 'node:fs';
import { compileSource, type SamplerArtifact } from '../dsl/index.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import type { DataSource } from '../runtime/train/data.ts';
import { slicedWasserstein } from '../runtime/train/metrics.ts';
import { drawPoints } from './quality.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';

/** The DSL call of the N-step trailing DDIM sampler of `model`: the sampler a distilled student is made for. */
export const ddimCall = (model: string, steps: number): string => `ddim(${model}, steps: ${steps}, spacing: "trailing")`;

/** Trailing DDIM samplers of `model` in `file`, one per step count, by step count. */
export function ddimSamplers(file: string, model: string, steps: readonly number[]): Map<number, SamplerArtifact> {
  const lines = steps.map((n) => `sampler distill_ddim_${n} = ${ddimCall(model, n)}`);
  const program = compileSource(`${readFileSync(file, 'utf8')}\n${lines.join('\n')}\n`, file);
  return new Map(steps.map((n) => [n, program.samplers.find((s) => s.name === `distill_ddim_${n}`)!]));
}

/** SW1 of n samples (sampler seed `seed`) to n held-out points of set 0. */
export async function samplerDistance(
  sampler: SamplerArtifact,
  weights: WeightSet,
  data: DataSource,
  n: number,
  seed: number,
  backend: ReferenceBackend = 'wasm',
): Promise<number> {
  return slicedWasserstein(await drawPoints(sampler, weights, n, seed, backend), data.heldOut(n, 0).x);
}
