/**
 * The WebGPU target's compile step and artifacts:
 *   compileForWebGPU(graph, {dims, caps, fuse}) → plan (binds dims, fuses, plans memory, generates WGSL)
 *   writeWebGPUArtifacts(graph, weights, dir)    → WGSL files + plan.json + weights.safetensors
 * Compiling needs no GPU: it plans against the WebGPU default limits unless given a device's
 * capabilities (runtime/webgpu reads the plan and runs it).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { writeSafetensors } from '../../compiler/core/safetensors.ts';
import type { Tensor, WeightSet } from '../../compiler/core/tensor.ts';
import { bindGraphDims, unboundDims } from '../../compiler/core/ir/bind-dims.ts';
import { DEFAULT_CAPABILITIES, type Capabilities } from './capabilities.ts';
import { emitWebGPUArtifacts } from './emit.ts';
import { DEFAULT_FUSE_OPTIONS, fuseGraph, type FuseOptions } from './passes/fuse.ts';
import { buildPlan, type WebGPUPlan } from './plan.ts';

export interface WebGPUCompileOptions {
  readonly dims?: Readonly<Record<string, number>>;
  /** Plan against these limits (default: the WebGPU spec defaults, valid on every device). */
  readonly caps?: Capabilities;
  /** false: one kernel per op (the unfused path); an object: fuse options. */
  readonly fuse?: boolean | Partial<FuseOptions>;
}

export function compileForWebGPU(graph: Graph, opts: WebGPUCompileOptions = {}): WebGPUPlan {
  const caps = opts.caps ?? DEFAULT_CAPABILITIES;
  const bound = bindGraphDims(graph, opts.dims ?? {});
  const unbound = unboundDims(bound);
  if (unbound.length) {
    throw new DenocError({
      code: 'WG0101',
      severity: 'error',
      message: `graph @${graph.name} has unbound dims ${unbound.join(', ')}; pass them as dims (e.g. { ${unbound.map((d) => `${d}: 1`).join(', ')} })`,
    });
  }
  const fuseOpts: FuseOptions = {
    ...DEFAULT_FUSE_OPTIONS,
    maxInputs: caps.maxStorageBuffersPerShaderStage - 1,
    ...(typeof opts.fuse === 'object' ? opts.fuse : {}),
    ...(opts.fuse === false ? { enabled: false } : {}),
  };
  return buildPlan(fuseGraph(bound, fuseOpts).graph, caps);
}

/**
 * `denoc compile --target webgpu --out DIR`: WGSL files, plan.json and the weights the plan reads
 * (weights.safetensors, f32), planned against the WebGPU default limits so it runs on any device.
 */
export function writeWebGPUArtifacts(graph: Graph, weights: WeightSet, outDir: string, opts: WebGPUCompileOptions = {}): string[] {
  const plan = compileForWebGPU(graph, opts);
  const written = emitWebGPUArtifacts(plan, outDir);
  const tensors = new Map<string, Tensor<Float32Array>>();
  for (const w of plan.weights) {
    const t = weights.get(w.name);
    if (!t) throw new DenocError({ code: 'WG0200', severity: 'error', message: `weight '${w.name}' [${w.shape.join(', ')}] was not provided` });
    tensors.set(w.name, { dtype: t.dtype, shape: w.shape, data: t.data });
  }
  const file = join(outDir, 'weights.safetensors');
  writeFileAtomic(file, writeSafetensors(tensors));
  return [...written, file];
}
