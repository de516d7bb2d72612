/**
 * The WebGPU executor API used by the CLI, the tests and the benchmark:
 *   compileForWebGPU(graph, {dims})          → plan (binds dims, fuses, plans memory, generates WGSL)
 *   runOnWebGPU(plan, {inputs, weights})     → outputs as Float32Arrays
 *   emitWebGPUArtifacts(plan, outDir)        → WGSL files + plan.json
 *   runSamplerOnWebGPU / writeWebGPUArtifacts → the same from a graph, for `denoc run` / `denoc compile`
 * Compiling needs no GPU (it plans against the WebGPU default limits unless given a device's
 * capabilities); running acquires the shared device and caches one session per plan and weights.
 */
import { join } from 'node:path';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { DEFAULT_FUSE_OPTIONS, fuseGraph, type FuseOptions } from '../../targets/webgpu/passes/fuse.ts';
import { bindGraphDims } from '../../targets/webgpu/bind-dims.ts';
import { capabilitiesOf, DEFAULT_CAPABILITIES, type Capabilities } from '../../targets/webgpu/capabilities.ts';
import { buildPlan, type WebGPUPlan } from '../../targets/webgpu/plan.ts';
import { saveWeightsFile } from '../weights/safetensors.ts';
import { sharedDevice, type GpuContext } from './device.ts';
import { WebGPUSession, type TensorData, type WeightSource } from './session.ts';

import { emitWebGPUArtifacts } from '../../targets/webgpu/emit.ts';

export { emitWebGPUArtifacts };
export type { WebGPUPlan } from '../../targets/webgpu/plan.ts';

export interface CompileOptions {
  readonly dims?: Readonly<Record<string, number>>;
  /** Plan against these limits (default: the WebGPU spec defaults, valid on every device). */
  readonly caps?: Capabilities;
  /** false: one kernel per op (the unfused path); an object: fuse options. */
  readonly fuse?: boolean | Partial<FuseOptions>;
}

export function compileForWebGPU(graph: Graph, opts: CompileOptions = {}): WebGPUPlan {
  const caps = opts.caps ?? DEFAULT_CAPABILITIES;
  const bound = bindGraphDims(graph, opts.dims ?? {});
  const fuseOpts: FuseOptions = {
    ...DEFAULT_FUSE_OPTIONS,
    maxInputs: caps.maxStorageBuffersPerShaderStage - 1,
    ...(typeof opts.fuse === 'object' ? opts.fuse : {}),
    ...(opts.fuse === false ? { enabled: false } : {}),
  };
  return buildPlan(fuseGraph(bound, fuseOpts).graph, caps);
}

/** Plans against the shared device's actual limits. */
export async function deviceCapabilities(gpu?: GpuContext): Promise<Capabilities> {
  return capabilitiesOf(gpu ?? (await sharedDevice()));
}

export interface RunOptions {
  readonly inputs: Readonly<Record<string, TensorData>>;
  readonly weights?: WeightSource;
  readonly gpu?: GpuContext;
  /** Called as each loop step finishes on the GPU (steps are then submitted one by one). */
  readonly onStep?: (i: number, count: number) => void;
}

const sessions = new WeakMap<WebGPUPlan, { weights: WeightSource; gpu: GpuContext; session: Promise<WebGPUSession> }>();
const NO_WEIGHTS: WeightSource = () => undefined;

/** A session for `plan` on `gpu` with `weights`, created once and reused while both stay the same. */
export function sessionFor(plan: WebGPUPlan, gpu: GpuContext, weights: WeightSource = NO_WEIGHTS): Promise<WebGPUSession> {
  const cached = sessions.get(plan);
  if (cached && cached.weights === weights && cached.gpu === gpu) return cached.session;
  if (cached) void cached.session.then((s) => s.destroy(), () => undefined);
  const session = WebGPUSession.create(plan, gpu, weights);
  sessions.set(plan, { weights, gpu, session });
  session.catch(() => sessions.delete(plan));
  return session;
}

export async function runOnWebGPU(plan: WebGPUPlan, opts: RunOptions): Promise<Float32Array[]> {
  const gpu = opts.gpu ?? (await sharedDevice());
  const session = await sessionFor(plan, gpu, opts.weights);
  return session.run(opts.inputs, opts.onStep);
}

type HostInput = TensorData | { readonly data: TensorData; readonly shape?: readonly number[] };

export interface SamplerRunOptions {
  readonly inputs: Readonly<Record<string, HostInput>>;
  readonly weights: WeightSource;
  readonly dims: Readonly<Record<string, number>>;
  readonly onStep?: (i: number, count: number) => void;
}

/** `denoc run --target webgpu`: compiles for the shared device and returns the (first) output. */
export async function runSamplerOnWebGPU(graph: Graph, opts: SamplerRunOptions): Promise<Float32Array> {
  const gpu = await sharedDevice();
  const plan = compileForWebGPU(graph, { dims: opts.dims, caps: capabilitiesOf(gpu) });
  const inputs = Object.fromEntries(Object.entries(opts.inputs).map(([k, v]) => [k, 'data' in v ? v.data : v]));
  const [out] = await runOnWebGPU(plan, { inputs, weights: opts.weights, gpu, onStep: opts.onStep });
  return out;
}

/**
 * `denoc compile --target webgpu --out DIR`: WGSL files, plan.json and the weights the plan reads
 * (weights.safetensors, f32), planned against the WebGPU default limits so it runs on any device.
 */
export async function writeWebGPUArtifacts(
  graph: Graph, weights: ReadonlyMap<string, Float32Array>, outDir: string, opts: CompileOptions = {},
): Promise<string[]> {
  const plan = compileForWebGPU(graph, opts);
  const written = emitWebGPUArtifacts(plan, outDir);
  const store = { tensors: new Map<string, Float32Array>(), shapes: new Map<string, readonly number[]>() };
  for (const w of plan.weights) {
    const data = weights.get(w.name);
    if (!data) throw new DenocError({ code: 'WG0200', severity: 'error', message: `weight '${w.name}' [${w.shape.join(', ')}] was not provided` });
    store.tensors.set(w.name, data);
    store.shapes.set(w.name, w.shape);
  }
  const file = join(outDir, 'weights.safetensors');
  saveWeightsFile(file, store);
  return [...written, file];
}
