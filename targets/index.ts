/**
 * One interface for every target and one table of them, which the CLI and the API read: a target
 * names its own passes (shown by `denoc passes`, usable in `--pipeline`), compiles an optimized
 * sampler graph into its in-memory artifact, and writes that artifact to a directory.
 */
import type { Graph } from '../compiler/core/ir/node.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';
import type { Pass } from '../compiler/passes/pass.ts';
import { PASSES, type PassTable } from '../compiler/pipelines.ts';
import type { OnnxArtifact } from './onnx/artifact.ts';
import { compileForOnnx, writeOnnxArtifacts, type OnnxCompileOptions } from './onnx/compile.ts';
import { emitStableHLO, type EmitResult } from './stablehlo/emit.ts';
import { writeStableHLOArtifacts, type ArtifactOptions } from './stablehlo/artifacts.ts';
import { compileForWebGPU, writeWebGPUArtifacts, type WebGPUCompileOptions } from './webgpu/compile.ts';
import { fuse } from './webgpu/passes/fuse.ts';
import { memoryPlan } from './webgpu/passes/memory-plan.ts';
import type { WebGPUPlan } from './webgpu/plan.ts';

export interface Target<Options, Compiled> {
  readonly name: string;
  readonly summary: string;
  /** Passes the target runs itself after the target-independent pipeline. */
  readonly passes: readonly Pass[];
  compile(graph: Graph, opts?: Options): Compiled;
  /** Writes the artifact and the weights it reads to `outDir`; returns the files written. */
  writeArtifacts(graph: Graph, weights: WeightSet, outDir: string, opts?: Options): Promise<readonly string[]>;
}

export const webgpu: Target<WebGPUCompileOptions, WebGPUPlan> = {
  name: 'webgpu',
  summary: 'WGSL compute kernels, a dispatch plan and a buffer plan for WebGPU (Dawn in Node, browsers)',
  passes: [fuse, memoryPlan],
  compile: compileForWebGPU,
  writeArtifacts: async (graph, weights, outDir, opts) => writeWebGPUArtifacts(graph, weights, outDir, opts),
};

export const stablehlo: Target<ArtifactOptions, EmitResult> = {
  name: 'stablehlo',
  summary: 'the whole sampler as one StableHLO module for XLA (CPU, GPU, TPU), with a manifest for JAX',
  passes: [],
  compile: emitStableHLO,
  writeArtifacts: async (graph, weights, outDir, opts) => (await writeStableHLOArtifacts(graph, weights, outDir, opts)).files,
};

export const onnx: Target<OnnxCompileOptions, OnnxArtifact> = {
  name: 'onnx',
  summary: 'a standard ONNX model (opset 18, sampler unrolled, exact randn) for onnxruntime (node, web)',
  passes: [],
  compile: compileForOnnx,
  writeArtifacts: async (graph, weights, outDir, opts) => writeOnnxArtifacts(graph, weights, outDir, opts),
};

export const TARGETS = Object.freeze({ webgpu, stablehlo, onnx });

export type TargetName = keyof typeof TARGETS;

export function isTargetName(name: string): name is TargetName {
  return Object.hasOwn(TARGETS, name);
}

/** Every pass by name: the target-independent ones and each target's own. */
export const ALL_PASSES: PassTable = Object.freeze({
  ...PASSES,
  ...Object.fromEntries(Object.values(TARGETS).flatMap((t) => t.passes.map((p) => [p.name, p]))),
});
