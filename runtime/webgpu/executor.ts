/**
 * Runs WebGPU plans (targets/webgpu/compile.ts makes them; this layer only reads them):
 *   runOnWebGPU(plan, {inputs, weights})   → outputs as Float32Arrays
 *   deviceCapabilities(gpu?)               → the limits a plan for this device may use
 * Running acquires the shared device and caches one session per plan and weights.
 */
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { capabilitiesOf, type Capabilities } from '../../targets/webgpu/capabilities.ts';
import type { WebGPUPlan } from '../../targets/webgpu/plan.ts';
import { sharedDevice, type GpuContext } from './device.ts';
import { WebGPUSession, type TensorData } from './session.ts';

export type { WebGPUPlan } from '../../targets/webgpu/plan.ts';

/** Plans against the shared device's actual limits. */
export async function deviceCapabilities(gpu?: GpuContext): Promise<Capabilities> {
  return capabilitiesOf(gpu ?? (await sharedDevice()));
}

export interface RunOptions {
  readonly inputs: Readonly<Record<string, TensorData>>;
  readonly weights?: WeightSet;
  readonly gpu?: GpuContext;
  /** Called as each loop step finishes on the GPU (steps are then submitted one by one). */
  readonly onStep?: (i: number, count: number) => void;
}

const sessions = new WeakMap<WebGPUPlan, { weights: WeightSet; gpu: GpuContext; session: Promise<WebGPUSession> }>();
const NO_WEIGHTS: WeightSet = new Map();

/** A session for `plan` on `gpu` with `weights`, created once and reused while both stay the same. */
export function sessionFor(plan: WebGPUPlan, gpu: GpuContext, weights: WeightSet = NO_WEIGHTS): Promise<WebGPUSession> {
  const cached = sessions.get(plan);
  if (cached && cached.weights === weights && cached.gpu === gpu) return cached.session;
  if (cached)
    void cached.session.then(
      (s) => s.destroy(),
      () => undefined,
    );
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
