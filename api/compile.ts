/**
 * The driver's compile step: an optimized sampler graph to a target's artifact directory, through the
 * table of targets. The StableHLO artifact gets the reference executor's outputs to compare with.
 */
import { fail } from '../compiler/core/diagnostics.ts';
import type { Graph } from '../compiler/core/ir/node.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';
import type { ArtifactOptions } from '../targets/stablehlo/artifacts.ts';
import { isTargetName, TARGETS } from '../targets/index.ts';
import type { WebGPUCompileOptions } from '../targets/webgpu/compile.ts';
import { ensureFolder } from '../compiler/core/output-file.ts';
import { referenceRunner } from './run.ts';

export type ArtifactTargetOptions = WebGPUCompileOptions & ArtifactOptions;

/** Writes `graph` for `target` to `outDir`; returns the files written. */
export async function writeArtifacts(
  target: string,
  graph: Graph,
  weights: WeightSet,
  outDir: string,
  opts: ArtifactTargetOptions = {},
): Promise<readonly string[]> {
  if (!isTargetName(target)) fail('CLI0062', `unknown target '${target}' (${Object.keys(TARGETS).join(' | ')})`);
  ensureFolder(outDir);
  if (target === 'stablehlo') return TARGETS.stablehlo.writeArtifacts(graph, weights, outDir, { reference: referenceRunner, ...opts });
  return TARGETS[target].writeArtifacts(graph, weights, outDir, opts);
}
