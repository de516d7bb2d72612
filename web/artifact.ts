/**
 * Rebuilds a runnable WebGPU plan from the files `denoc compile --target webgpu` writes (plan.json,
 * kernels/*.wgsl, weights.safetensors), so a host without the compiler — a browser page — can create
 * a WebGPUSession. Pure functions over fetched bytes/text: no DOM, no Node APIs, so Node tests can
 * check the rebuilt plan against the compiler's own.
 */
import { DenocError } from '../compiler/core/diagnostics.ts';
import type { DType } from '../compiler/core/ir/types.ts';
import type { KernelBinding, KernelCode } from '../targets/webgpu/kernel.ts';
import type { TemplateName } from '../targets/webgpu/lowering.ts';
import type { BufferInit, BufferRef, PlanBuffer, PlanTensor, Step, WebGPUPlan } from '../targets/webgpu/plan.ts';
import { readSafetensors } from '../compiler/core/safetensors.ts';
import type { Tensor, WeightSet } from '../compiler/core/tensor.ts';

type RefJson = { readonly buffer: number } | { readonly carried: number; readonly phase: 'cur' | 'next' };
type StepJson =
  | { readonly dispatch: number; readonly buffers: readonly RefJson[] }
  | { readonly copy: { readonly from: RefJson; readonly to: RefJson; readonly bytes: number } }
  | {
      readonly loop: {
        readonly count: number;
        readonly carried: readonly { ping: number; pong: number }[];
        readonly stepStrideBytes: number;
        readonly stepUniformWords: readonly number[];
        readonly body: readonly StepJson[];
      };
    };

/** plan.json as written by targets/webgpu/emit.ts. */
export interface PlanJson {
  readonly name: string;
  readonly inputs: readonly PlanTensor[];
  readonly weights: readonly PlanTensor[];
  readonly outputs: readonly PlanTensor[];
  readonly buffers: readonly {
    readonly id: number;
    readonly bytes: number;
    readonly kind: PlanBuffer['kind'];
    readonly holds: readonly string[];
    readonly init: Exclude<BufferInit, { kind: 'constant' }> | { readonly constant: readonly number[] };
  }[];
  readonly kernels: readonly {
    readonly name: string;
    readonly file: string;
    readonly template: TemplateName;
    readonly workgroupSize: number;
    readonly workgroups: readonly [number, number, number];
    readonly bindings: readonly KernelBinding[];
    readonly stepUniformVec4s: number;
    readonly flops: number;
  }[];
  readonly steps: readonly StepJson[];
}

/**
 * What WebGPUSession reads of a plan. The graph, memory plan and capabilities stay on the machine
 * that compiled it; session.ts never touches them.
 */
export type RunnablePlan = Pick<WebGPUPlan, 'name' | 'kernels' | 'buffers' | 'steps' | 'inputs' | 'weights' | 'outputs'>;

function artifactError(message: string): DenocError {
  return new DenocError({ code: 'WG0210', severity: 'error', message: `compiled WebGPU artifact: ${message}` });
}

function refOf(r: RefJson): BufferRef {
  return 'buffer' in r ? { slot: r.buffer } : { carried: r.carried, phase: r.phase };
}

function stepOf(s: StepJson): Step {
  if ('dispatch' in s) return { kind: 'dispatch', kernel: s.dispatch, buffers: s.buffers.map(refOf) };
  if ('copy' in s) return { kind: 'copy', from: refOf(s.copy.from), to: refOf(s.copy.to), bytes: s.copy.bytes };
  const l = s.loop;
  return {
    kind: 'loop',
    count: l.count,
    carried: l.carried,
    body: l.body.map(stepOf),
    stepStride: l.stepStrideBytes,
    stepData: Uint32Array.from(l.stepUniformWords),
  };
}

/** The element type each kernel declares for binding `b` (`array<i32>` → i32), from its WGSL. */
function declaredType(wgsl: string, binding: number): string | undefined {
  return new RegExp(`@binding\\(${binding}\\)\\s*var<storage[^>]*>\\s*\\w+\\s*:\\s*array<(\\w+)>`).exec(wgsl)?.[1];
}

/**
 * plan.json lists constant buffers as plain numbers; the session uploads Int32Array data as i32
 * words and Float32Array as f32, so recover the type from how the kernels that read them declare it.
 */
function constantTypes(steps: readonly Step[], kernels: readonly KernelCode[], out = new Map<number, string>()): Map<number, string> {
  for (const s of steps) {
    if (s.kind === 'loop') constantTypes(s.body, kernels, out);
    if (s.kind !== 'dispatch') continue;
    const k = kernels[s.kernel];
    k.bindings
      .filter((b) => b.role !== 'step')
      .forEach((b, i) => {
        const ref = s.buffers[i];
        const t = 'slot' in ref ? declaredType(k.wgsl, b.binding) : undefined;
        if (t && 'slot' in ref) out.set(ref.slot, t);
      });
  }
  return out;
}

/** Rebuilds the plan; `wgsl` maps each kernel's `file` (as in plan.json) to its source. */
export function planFromArtifact(json: PlanJson, wgsl: ReadonlyMap<string, string>): RunnablePlan {
  if (!Array.isArray(json.kernels) || !Array.isArray(json.buffers) || !Array.isArray(json.steps)) {
    throw artifactError(`plan.json of '${String(json.name)}' lacks kernels, buffers or steps`);
  }
  const kernels: KernelCode[] = json.kernels.map((k) => {
    const code = wgsl.get(k.file);
    if (code === undefined) throw artifactError(`kernel file '${k.file}' is missing`);
    return {
      name: k.name,
      template: k.template,
      key: k.file,
      wgsl: code,
      bindings: k.bindings,
      workgroupSize: k.workgroupSize,
      workgroups: k.workgroups,
      stepWords: k.stepUniformVec4s,
      flops: k.flops,
    };
  });
  const steps = json.steps.map(stepOf);
  const types = constantTypes(steps, kernels);
  const buffers: PlanBuffer[] = json.buffers.map((b) => {
    const init: BufferInit =
      'constant' in b.init
        ? { kind: 'constant', data: types.get(b.id) === 'i32' ? Int32Array.from(b.init.constant) : Float32Array.from(b.init.constant) }
        : b.init;
    return { id: b.id, bytes: b.bytes, kind: b.kind, labels: b.holds, init };
  });
  return { name: json.name, kernels, buffers, steps, inputs: json.inputs, weights: json.weights, outputs: json.outputs };
}

/** The plan's weights from weights.safetensors bytes, as f32 (the session stores every float as f32). */
export function weightsFromArtifact(bytes: Uint8Array, plan: RunnablePlan): WeightSet {
  const stored = readSafetensors(bytes, 'weights.safetensors');
  const out = new Map<string, Tensor<Float32Array>>();
  for (const w of plan.weights) {
    const t = stored.get(w.name);
    if (!t) throw artifactError(`weights.safetensors has no tensor '${w.name}'`);
    out.set(w.name, { ...t, data: Float32Array.from(t.data) });
  }
  return out;
}

/** Storage element type of a plan tensor as the session writes it. */
export function hostArray(dtype: DType, values: readonly number[]): Float32Array | Int32Array {
  return dtype === 'i32' || dtype === 'u32' || dtype === 'bool' ? Int32Array.from(values) : Float32Array.from(values);
}
