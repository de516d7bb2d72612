/**
 * Runs a WebGPU plan on a device. Creating a session does everything that happens once: buffers
 * for every plan slot, weights and constants uploaded, pipelines compiled (async, with compiler
 * messages turned into DenocErrors), bind groups made (two per loop-body dispatch, one for each
 * ping-pong parity) and each loop's per-step uniform block uploaded. A run then writes the inputs,
 * records the whole program — every step of every loop — into one command encoder (one compute
 * pass per stretch of dispatches between copies), submits once and reads back only the outputs.
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import type { KernelCode } from '../../targets/webgpu/kernel.ts';
import type { BufferRef, LoopStep, Step, WebGPUPlan } from '../../targets/webgpu/plan.ts';
import { planNumel } from '../../targets/webgpu/plan.ts';
import { checked, throwIfFailed, type GpuContext } from './device.ts';

export type TensorData = Float32Array | Int32Array | Uint32Array | readonly number[];

/** One dispatch timed alone by `profile`. */
export interface KernelTiming {
  readonly kernel: string;
  readonly template: string;
  readonly flops: number;
  readonly seconds: number;
}

interface Pipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  readonly code: KernelCode;
}

interface RecordedDispatch {
  readonly code: KernelCode;
  readonly pipeline: GPUComputePipeline;
  /** One bind group, or two for loop bodies (indexed by step parity). */
  readonly groups: readonly GPUBindGroup[];
  readonly workgroups: readonly [number, number, number];
  readonly dynamic: boolean;
}

type Recorded =
  | { readonly kind: 'dispatch'; readonly d: RecordedDispatch }
  | { readonly kind: 'copy'; readonly from: readonly GPUBuffer[]; readonly to: readonly GPUBuffer[]; readonly bytes: number }
  | { readonly kind: 'loop'; readonly count: number; readonly stride: number; readonly body: readonly Recorded[] };

/** WebGPU flag values (spec constants), so this module loads before Dawn defines the globals. */
const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
const STAGE_COMPUTE = 4;
const MAP_MODE_READ = 1;
const STORAGE = USAGE.STORAGE | USAGE.COPY_DST | USAGE.COPY_SRC;

/** Storage words for host data: every float dtype as f32, ints as i32/u32, bool as u32. */
function toWords(data: TensorData, dtype: string): ArrayBuffer {
  if (dtype === 'i32') return Int32Array.from(data as ArrayLike<number>).buffer;
  if (dtype === 'u32' || dtype === 'bool') return Uint32Array.from(data as ArrayLike<number>, (x) => (dtype === 'bool' ? (x ? 1 : 0) : x)).buffer;
  return Float32Array.from(data as ArrayLike<number>).buffer;
}

export class WebGPUSession {
  private constructor(
    readonly plan: WebGPUPlan,
    private readonly gpu: GpuContext,
    private readonly buffers: readonly GPUBuffer[],
    private readonly program: readonly Recorded[],
    private readonly uniforms: readonly GPUBuffer[],
  ) {}

  static async create(plan: WebGPUPlan, gpu: GpuContext, weights: WeightSet): Promise<WebGPUSession> {
    const { device } = gpu;
    const buffers = await checked(device, `allocating ${plan.buffers.length} buffers for @${plan.name}`, () =>
      plan.buffers.map((b) => device.createBuffer({ size: b.bytes, usage: STORAGE, label: b.labels[0] })),
    );
    for (const b of plan.buffers) {
      if (b.init.kind === 'constant')
        device.queue.writeBuffer(buffers[b.id], 0, toWords(b.init.data, b.init.data instanceof Int32Array ? 'i32' : 'f32'));
    }
    for (const w of plan.weights) {
      const data = weights.get(w.name)?.data;
      if (!data) throw new DenocError({ code: 'WG0200', severity: 'error', message: `weight '${w.name}' [${w.shape.join(', ')}] was not provided` });
      if (data.length !== planNumel(w)) {
        throw new DenocError({
          code: 'WG0201',
          severity: 'error',
          message: `weight '${w.name}' has ${data.length} values but the graph needs [${w.shape.join(', ')}] = ${planNumel(w)}`,
        });
      }
      device.queue.writeBuffer(buffers[w.slot], 0, toWords(data, w.dtype));
    }
    const pipelines = await Promise.all(plan.kernels.map((k) => compile(device, k)));
    const uniforms: GPUBuffer[] = [];
    const program = record(plan.steps, { device, buffers, pipelines, uniforms });
    throwIfFailed(device, `preparing @${plan.name}`);
    return new WebGPUSession(plan, gpu, buffers, program, uniforms);
  }

  /**
   * Writes the inputs, runs the whole plan in one submit and reads back the outputs. With
   * `onStep`, each loop step is submitted as its own command buffer instead, and `onStep(i, count)`
   * fires as the GPU finishes it (still no readback until the end).
   */
  async run(inputs: Readonly<Record<string, TensorData>>, onStep?: (i: number, count: number) => void): Promise<Float32Array[]> {
    this.writeInputs(inputs);
    const { device } = this.gpu;
    const cursor: Cursor = { encoder: device.createCommandEncoder({ label: this.plan.name }) };
    if (onStep) {
      cursor.stepDone = (i, count) => {
        cursor.pass?.end();
        cursor.pass = undefined;
        device.queue.submit([cursor.encoder.finish()]);
        void device.queue.onSubmittedWorkDone().then(() => onStep(i, count));
        cursor.encoder = device.createCommandEncoder({ label: `${this.plan.name} after step ${i}` });
      };
    }
    replay(cursor, this.program, 0, 0);
    cursor.pass?.end();
    const encoder = cursor.encoder;
    const staging = this.plan.outputs.map((o) => {
      const bytes = planNumel(o) * 4;
      const buf = device.createBuffer({ size: Math.max(4, bytes), usage: USAGE.MAP_READ | USAGE.COPY_DST });
      encoder.copyBufferToBuffer(this.buffers[o.slot], 0, buf, 0, bytes);
      return buf;
    });
    await checked(device, `running @${this.plan.name}`, () => device.queue.submit([encoder.finish()]));
    const out = await Promise.all(
      staging.map(async (buf, i) => {
        await buf.mapAsync(MAP_MODE_READ);
        const o = this.plan.outputs[i];
        const raw = buf.getMappedRange().slice(0);
        buf.destroy();
        return o.dtype === 'i32'
          ? Float32Array.from(new Int32Array(raw))
          : o.dtype === 'u32' || o.dtype === 'bool'
            ? Float32Array.from(new Uint32Array(raw))
            : new Float32Array(raw);
      }),
    );
    throwIfFailed(device, `running @${this.plan.name}`);
    return out;
  }

  writeInputs(inputs: Readonly<Record<string, TensorData>>): void {
    for (const i of this.plan.inputs) {
      const data = inputs[i.name];
      if (data === undefined)
        throw new DenocError({
          code: 'WG0202',
          severity: 'error',
          message: `input '${i.name}' (${i.dtype}[${i.shape.join(', ')}]) was not provided`,
        });
      if (data.length !== planNumel(i)) {
        throw new DenocError({
          code: 'WG0203',
          severity: 'error',
          message: `input '${i.name}' has ${data.length} values but the graph needs ${i.dtype}[${i.shape.join(', ')}]`,
        });
      }
      this.gpu.device.queue.writeBuffer(this.buffers[i.slot], 0, toWords(data, i.dtype));
    }
  }

  /** Records the whole program into `encoder` (no input writes, no readback): for timing. */
  encode(encoder: GPUCommandEncoder): void {
    const cursor: Cursor = { encoder };
    replay(cursor, this.program, 0, 0);
    cursor.pass?.end();
  }

  /** Runs the program `times` times without readback and waits for the GPU; returns seconds per run. */
  async time(times: number): Promise<number> {
    const { device } = this.gpu;
    const t0 = performance.now();
    for (let i = 0; i < times; i++) {
      const encoder = device.createCommandEncoder();
      this.encode(encoder);
      device.queue.submit([encoder.finish()]);
    }
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000 / times;
  }

  /**
   * Times every dispatch of the program on its own after one full run has filled the buffers:
   * back-to-back repetitions in one pass, as many as fill about `minMs` (so the submit and sync
   * overhead does not swamp small kernels). Loop bodies are timed at step 0. For per-kernel GFLOP/s.
   */
  async profile(minMs = 20): Promise<KernelTiming[]> {
    const out: KernelTiming[] = [];
    const visit = async (program: readonly Recorded[]): Promise<void> => {
      for (const r of program) {
        if (r.kind === 'loop') await visit(r.body);
        if (r.kind !== 'dispatch') continue;
        const once = await this.timeDispatch(r.d, 1);
        const reps = Math.max(1, Math.min(256, Math.ceil(minMs / 1000 / once)));
        const seconds = reps === 1 ? once : await this.timeDispatch(r.d, reps);
        out.push({ kernel: r.d.code.name, template: r.d.code.template, flops: r.d.code.flops, seconds });
      }
    };
    await visit(this.program);
    return out;
  }

  /** Seconds per dispatch of `reps` copies of `d` in one pass. */
  private async timeDispatch(d: RecordedDispatch, reps: number): Promise<number> {
    const { device } = this.gpu;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.groups[0], d.dynamic ? [0] : []);
    for (let i = 0; i < reps; i++) pass.dispatchWorkgroups(...d.workgroups);
    pass.end();
    await device.queue.onSubmittedWorkDone();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000 / reps;
  }

  destroy(): void {
    for (const b of [...this.buffers, ...this.uniforms]) b.destroy();
  }
}

async function compile(device: GPUDevice, k: KernelCode): Promise<Pipeline> {
  // Compiler messages are reported from getCompilationInfo; the scope keeps them from also
  // surfacing later as an uncaptured error.
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: k.wgsl, label: k.name });
  const info = await module.getCompilationInfo();
  await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length) {
    const lines = k.wgsl.split('\n');
    const detail = errors
      .slice(0, 3)
      .map((m) => `${m.lineNum}:${m.linePos}: ${m.message}\n    ${lines[m.lineNum - 1]?.trim() ?? ''}`)
      .join('\n  ');
    throw new DenocError({ code: 'WG0007', severity: 'error', message: `WGSL of kernel ${k.name} does not compile:\n  ${detail}` });
  }
  const layout = device.createBindGroupLayout({
    label: k.name,
    entries: k.bindings.map((b) => ({
      binding: b.binding,
      visibility: STAGE_COMPUTE,
      buffer: b.role === 'step' ? { type: 'uniform', hasDynamicOffset: true } : { type: b.role === 'out' ? 'storage' : 'read-only-storage' },
    })),
  });
  const pipeline = await checked(device, `creating the pipeline of kernel ${k.name}`, () =>
    device.createComputePipelineAsync({
      label: k.name,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    }),
  );
  return { pipeline: await pipeline, layout, code: k };
}

interface RecordContext {
  readonly device: GPUDevice;
  readonly buffers: readonly GPUBuffer[];
  readonly pipelines: readonly Pipeline[];
  readonly uniforms: GPUBuffer[];
}

/** The buffer a ref names at step parity `parity` (0: cur = ping) of the enclosing loop. */
function resolve(ref: BufferRef, ctx: RecordContext, loop: LoopStep | undefined, parity: number): GPUBuffer {
  if ('slot' in ref) return ctx.buffers[ref.slot];
  if (!loop) throw new Error('a carried buffer outside a loop');
  const c = loop.carried[ref.carried];
  const cur = parity === 0 ? c.ping : c.pong,
    next = parity === 0 ? c.pong : c.ping;
  return ctx.buffers[ref.phase === 'cur' ? cur : next];
}

function record(steps: readonly Step[], ctx: RecordContext, loop?: LoopStep, uniform?: GPUBuffer): Recorded[] {
  return steps.map((s): Recorded => {
    const parities = loop ? [0, 1] : [0];
    if (s.kind === 'copy') {
      return {
        kind: 'copy',
        from: parities.map((p) => resolve(s.from, ctx, loop, p)),
        to: parities.map((p) => resolve(s.to, ctx, loop, p)),
        bytes: s.bytes,
      };
    }
    if (s.kind === 'loop') {
      const buf = ctx.device.createBuffer({ size: s.stepData.byteLength, usage: USAGE.UNIFORM | USAGE.COPY_DST, label: 'step uniforms' });
      ctx.device.queue.writeBuffer(buf, 0, s.stepData.buffer as ArrayBuffer, s.stepData.byteOffset, s.stepData.byteLength);
      ctx.uniforms.push(buf);
      return { kind: 'loop', count: s.count, stride: s.stepStride, body: record(s.body, ctx, s, buf) };
    }
    const p = ctx.pipelines[s.kernel];
    const groups = parities.map((parity) =>
      ctx.device.createBindGroup({
        layout: p.layout,
        entries: p.code.bindings.map((b, i) =>
          b.role === 'step'
            ? { binding: b.binding, resource: { buffer: uniform!, size: p.code.stepWords * 16 } }
            : { binding: b.binding, resource: { buffer: resolve(s.buffers[i], ctx, loop, parity) } },
        ),
      }),
    );
    return { kind: 'dispatch', d: { code: p.code, pipeline: p.pipeline, groups, workgroups: p.code.workgroups, dynamic: p.code.stepWords > 0 } };
  });
}

/** Where recording stands: the open encoder and compute pass, and what to do after each loop step. */
interface Cursor {
  encoder: GPUCommandEncoder;
  pass?: GPUComputePassEncoder;
  stepDone?: (i: number, count: number) => void;
}

/** Records a program; consecutive dispatches share one compute pass, copies end it. */
function replay(cursor: Cursor, program: readonly Recorded[], parity: number, offset: number): void {
  for (const r of program) {
    if (r.kind === 'dispatch') {
      cursor.pass ??= cursor.encoder.beginComputePass();
      cursor.pass.setPipeline(r.d.pipeline);
      cursor.pass.setBindGroup(0, r.d.groups[r.d.groups.length > 1 ? parity : 0], r.d.dynamic ? [offset] : []);
      cursor.pass.dispatchWorkgroups(...r.d.workgroups);
    } else if (r.kind === 'copy') {
      cursor.pass?.end();
      cursor.pass = undefined;
      const i = r.from.length > 1 ? parity : 0;
      cursor.encoder.copyBufferToBuffer(r.from[i], 0, r.to[i], 0, r.bytes);
    } else {
      for (let step = 0; step < r.count; step++) {
        replay(cursor, r.body, step % 2, step * r.stride);
        cursor.stepDone?.(step, r.count);
      }
    }
  }
}
