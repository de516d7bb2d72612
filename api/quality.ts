/**
 * Sample quality of a trained 2-D model, measured with the sliced Wasserstein-1 distance (metrics.ts):
 * samples drawn by a sampler (compiled with the default pipeline and run on the reference executor,
 * as `denoc run` does) against held-out data, next to the two figures that give it meaning: the
 * same sampler with seeded random weights (what `denoc run` uses without --weights), and two
 * independent held-out samples of the data (the floor that finite samples allow).
 *
 *   TRN0801 the sampler needs inputs other than its seed, or does not produce N×2 points
 */
import { fail } from '../compiler/core/diagnostics.ts';
import { compileSampler } from '../compiler/compile.ts';
import { tensorOf } from '../compiler/core/ir/node.ts';
import type { ModelArtifact, SamplerArtifact } from '../compiler/core/artifact.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { runGraph } from '../runtime/reference/executor.ts';
import { initWeights } from '../runtime/weights/init.ts';
import type { DataSource } from '../runtime/train/data.ts';
import { slicedWasserstein } from '../runtime/train/metrics.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';

export interface QualityOptions {
  readonly sampler: SamplerArtifact;
  readonly model: ModelArtifact;
  readonly weights: WeightSet;
  readonly data: DataSource;
  /** Samples per cloud. */
  readonly n: number;
  /** Sampler noise seed; also the seed of the random weights. */
  readonly seed: number;
  readonly backend?: ReferenceBackend;
}

export interface Quality {
  /** SW1 of the trained model's samples to held-out data. */
  readonly trained: number;
  /** SW1 of samples with seeded random weights to held-out data. */
  readonly random: number;
  /** SW1 between two held-out data samples. */
  readonly dataVsData: number;
  readonly samples: Float32Array;
  readonly heldOut: Float32Array;
}

/** n points from the sampler with the given weights (its only input is the seed). */
export async function drawPoints(
  sampler: SamplerArtifact,
  weights: WeightSet,
  n: number,
  seed: number,
  backend: ReferenceBackend = 'wasm',
): Promise<Float32Array> {
  const out = tensorOf(sampler.graph.outputs[0]).shape;
  const inputs = sampler.graph.params.map((p) => p.attrs.name as string);
  if (out.length !== 2 || out[1] !== 2 || inputs.some((name) => name !== 'seed')) {
    fail('TRN0801', `sampler ${sampler.name} must take only a seed and return [B, 2] points to be measured against 2-D data`);
  }
  const [x] = await runGraph(compileSampler(sampler.graph), {
    backend,
    inputs: { seed: { data: Int32Array.of(seed), shape: [] } },
    weights,
    dims: { B: n },
  });
  const data = Float32Array.from(await x.data());
  x.dispose();
  return data;
}

export async function measureQuality(o: QualityOptions): Promise<Quality> {
  const heldOut = o.data.heldOut(o.n, 0).x;
  const samples = await drawPoints(o.sampler, o.weights, o.n, o.seed, o.backend);
  const init = initWeights(o.model.parameters, o.seed);
  const random = await drawPoints(o.sampler, init, o.n, o.seed, o.backend);
  return {
    trained: slicedWasserstein(samples, heldOut),
    random: slicedWasserstein(random, heldOut),
    dataVsData: slicedWasserstein(o.data.heldOut(o.n, 1).x, heldOut),
    samples,
    heldOut,
  };
}
