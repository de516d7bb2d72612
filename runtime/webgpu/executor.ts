/**
 * The WebGPU executor API used by the CLI, the tests and the benchmark:
 *   compileForWebGPU(graph, {dims})          → plan (binds dims, fuses, plans memory, generates WGSL)
 *   runOnWebGPU(plan, {inputs, weights})     → outputs as Float32Arrays
 *   emitWebGPUArtifacts(plan, outDir)        → WGSL files + plan.json
 * Compiling needs no GPU (it plans against the WebGPU default limits unless given a device's
 * capabilities); running acquires the shared device and caches one session per plan and weights.
 */
import '../../compiler/ops/index.ts';
import type { Graph } from '../../compiler/ir/node.ts';
import { DEFAULT_FUSE_OPTIONS, fuseGraph, type FuseOptions } from '../../compiler/passes/fuse.ts';
import { bindGraphDims } from '../../targets/webgpu/bind-dims.ts';
import { capabilitiesOf, DEFAULT_CAPABILITIES, type Capabilities } from '../../targets/webgpu/capabilities.ts';
import { buildPlan, type WebGPUPlan } from '../../targets/webgpu/plan.ts';
import { sharedDevice, type GpuContext } from './device.ts';
import { WebGPUSession, type TensorData, type WeightSource } from './session.ts';

export { emitWebGPUArtifacts } from '../../targets/webgpu/emit.ts';
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
  return session.run(opts.inputs);
}
