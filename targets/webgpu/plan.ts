/**
 * The WebGPU dispatch plan: what the runtime records, decided entirely at compile time.
 * From a fused graph with static dims and its memory plan it lists
 *   - kernels: WGSL + binding metadata, one per distinct cache key (equal kernels share a pipeline);
 *   - buffers: one per memory-plan slot, with what initializes it (input, weight path, constant data);
 *   - steps: dispatches (kernel + a buffer per binding), copies, and loops. A loop carries its values
 *     in ping-pong buffers and has a per-step uniform block: word 0 is the step index, further words
 *     are the per-step coefficients `table[iter]` of compile-time tables, evaluated here, so a
 *     sampler's schedule arithmetic costs no kernel reads at run time.
 * Loops inside loop bodies are not supported (WG0104).
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { numel, type DType } from '../../compiler/core/ir/types.ts';
import { planMemory, type Location, type MemoryPlan, type SlotKind } from './passes/memory-plan.ts';
import type { Capabilities } from './capabilities.ts';
import { generateKernel, type KernelCode } from './kernel.ts';
import type { ParamSource } from './wgsl.ts';

export type BufferRef = { readonly slot: number } | { readonly carried: number; readonly phase: 'cur' | 'next' };

export interface DispatchStep {
  readonly kind: 'dispatch';
  readonly kernel: number;
  /** Buffer for each storage binding, in binding order (the step uniform is bound by the loop). */
  readonly buffers: readonly BufferRef[];
}
export interface CopyStep {
  readonly kind: 'copy';
  readonly from: BufferRef;
  readonly to: BufferRef;
  readonly bytes: number;
}
export interface LoopStep {
  readonly kind: 'loop';
  readonly count: number;
  readonly carried: readonly { readonly ping: number; readonly pong: number }[];
  readonly body: readonly Step[];
  /** Bytes per step in the uniform buffer (a multiple of minUniformBufferOffsetAlignment). */
  readonly stepStride: number;
  /** count × stepStride bytes of per-step uniforms (u32 words). */
  readonly stepData: Uint32Array;
}
export type Step = DispatchStep | CopyStep | LoopStep;

export type BufferInit =
  | { readonly kind: 'input'; readonly name: string }
  | { readonly kind: 'weight'; readonly path: string }
  | { readonly kind: 'constant'; readonly data: Float32Array | Int32Array }
  | { readonly kind: 'scratch' };

export interface PlanBuffer {
  readonly id: number;
  readonly bytes: number;
  readonly kind: SlotKind;
  readonly labels: readonly string[];
  readonly init: BufferInit;
}

export interface PlanTensor {
  readonly slot: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly name: string;
}

export interface PlanStats {
  readonly kernels: number;
  readonly dispatches: number;
  /** Dispatches of one loop step (0 without a loop). */
  readonly dispatchesPerStep: number;
  readonly steps: number;
  readonly peakBytes: number;
  readonly naiveBytes: number;
  readonly flops: number;
  readonly flopsPerStep: number;
}

export interface WebGPUPlan {
  readonly name: string;
  readonly caps: Capabilities;
  readonly graph: Graph;
  readonly memory: MemoryPlan;
  readonly kernels: readonly KernelCode[];
  readonly buffers: readonly PlanBuffer[];
  readonly steps: readonly Step[];
  readonly inputs: readonly PlanTensor[];
  readonly weights: readonly PlanTensor[];
  readonly outputs: readonly PlanTensor[];
  readonly stats: PlanStats;
}

interface LoopContext {
  readonly loop: Node;
  readonly iter: Node;
  /** Uniform slot of each compile-time table read as table[iter]. */
  readonly slots: Map<Node, number>;
  /** Body params that capture an outer constant, with that constant. */
  readonly capturedConstants: Map<Node, Node>;
}

/** The 1-D compile-time table behind a body value (a constant, or a capture of one). */
function tableBehind(n: Node, ctx: LoopContext): Node | undefined {
  const c = n.op === 'constant' ? n : ctx.capturedConstants.get(n);
  return c && tensorOf(c).shape.length === 1 ? c : undefined;
}

class PlanBuilder {
  readonly kernels: KernelCode[] = [];
  private readonly byKey = new Map<string, number>();
  readonly inits = new Map<number, BufferInit>();
  dispatches = 0;
  flops = 0;
  /** Per-step dispatches and FLOPs of each loop, in order. */
  readonly loopStats: { dispatches: number; flops: number; count: number }[] = [];
  private current?: { dispatches: number; flops: number; count: number };

  constructor(
    readonly memory: MemoryPlan,
    readonly caps: Capabilities,
  ) {}

  ref(n: Node): BufferRef {
    const loc: Location | undefined = this.memory.locations.get(n);
    if (!loc || loc.kind === 'none') throw new Error(`no buffer for ${n.op} ${loc ? `(${loc.why})` : ''}`);
    return loc.kind === 'slot' ? { slot: loc.slot } : { carried: loc.index, phase: loc.phase };
  }

  private kernelIndex(code: KernelCode): number {
    let i = this.byKey.get(code.key);
    if (i === undefined) {
      i = this.kernels.length;
      this.kernels.push(code);
      this.byKey.set(code.key, i);
    }
    return i;
  }

  /** Steps for one graph level (the top level, or a loop body when `ctx` is given). */
  level(graph: Graph, ctx?: LoopContext): Step[] {
    const steps: Step[] = [];
    for (const n of topoOrder(graph)) {
      if (n.op === 'param' || n.op === 'weight' || n.op === 'constant') {
        this.noteInit(n);
        continue;
      }
      if (n.op === 'tuple_get') continue;
      if (n.op === 'loop') {
        if (ctx)
          throw new DenocError({ code: 'WG0104', severity: 'error', message: 'loops inside loop bodies are not supported on WebGPU', span: n.span });
        const mem = this.memory.loops.get(n)!;
        n.inputs.slice(0, n.attrs.carried as number).forEach((init, j) => {
          steps.push({ kind: 'copy', from: this.ref(init), to: { slot: mem.ping[j] }, bytes: storageBytes(init) });
        });
        steps.push(this.loop(n));
        continue;
      }
      if (n.op !== 'kernel') throw new Error(`op ${n.op} reached the WebGPU plan unfused; run the fuse pass first`);
      steps.push(this.dispatch(n, ctx));
    }
    return steps;
  }

  private noteInit(n: Node): void {
    const loc = this.memory.locations.get(n);
    if (loc?.kind !== 'slot') return;
    if (n.op === 'param') this.inits.set(loc.slot, { kind: 'input', name: n.attrs.name as string });
    else if (n.op === 'weight') this.inits.set(loc.slot, { kind: 'weight', path: n.attrs.path as string });
    else this.inits.set(loc.slot, { kind: 'constant', data: n.attrs.data as Float32Array | Int32Array });
  }

  private dispatch(n: Node, ctx?: LoopContext): DispatchStep {
    const sources: ParamSource[] = n.inputs.map((i) => ({
      iter: ctx !== undefined && i === ctx.iter,
      table: ctx !== undefined && tableBehind(i, ctx) !== undefined,
    }));
    const code = generateKernel(n.regions[0], n.attrs.name as string, {
      caps: this.caps,
      sources,
      stepSlot: ctx ? (p) => this.stepSlot(ctx, tableBehind(n.inputs[p], ctx)!) : undefined,
    });
    const buffers = code.bindings.filter((b) => b.role !== 'step').map((b) => (b.role === 'out' ? this.ref(n) : this.ref(n.inputs[b.param])));
    const counter = ctx ? this.current! : this;
    counter.dispatches++;
    counter.flops += code.flops;
    return { kind: 'dispatch', kernel: this.kernelIndex(code), buffers };
  }

  private stepSlot(ctx: LoopContext, table: Node): number {
    let s = ctx.slots.get(table);
    if (s === undefined) {
      s = ctx.slots.size + 1;
      ctx.slots.set(table, s);
    }
    return s;
  }

  private loop(n: Node): LoopStep {
    const body = n.regions[0];
    const count = n.attrs.count as number;
    const carried = n.attrs.carried as number;
    const mem = this.memory.loops.get(n)!;
    const captures = new Map<Node, Node>();
    body.params.slice(1 + carried).forEach((p, k) => {
      const outer = n.inputs[carried + k];
      if (outer.op === 'constant') captures.set(p, outer);
    });
    const ctx: LoopContext = { loop: n, iter: body.params[0], slots: new Map(), capturedConstants: captures };
    this.current = { dispatches: 0, flops: 0, count };
    const inner = this.level(body, ctx);
    this.loopStats.push(this.current);
    body.outputs.forEach((y, j) => {
      if (!mem.inPlace[j]) inner.push({ kind: 'copy', from: this.ref(y), to: { carried: j, phase: 'next' }, bytes: storageBytes(y) });
    });
    this.dispatches += count * this.current.dispatches;
    this.flops += count * this.current.flops;
    const words = Math.ceil((ctx.slots.size + 1) / 4) * 4;
    const align = this.caps.minUniformBufferOffsetAlignment / 4;
    const stride = Math.ceil(words / align) * align;
    const stepData = new Uint32Array(Math.max(1, count) * stride);
    for (let i = 0; i < count; i++) {
      stepData[i * stride] = i;
      for (const [table, slot] of ctx.slots) stepData[i * stride + slot] = tableWord(table, i);
    }
    return {
      kind: 'loop',
      count,
      body: inner,
      stepStride: stride * 4,
      stepData,
      carried: Array.from({ length: carried }, (_, j) => ({ ping: mem.ping[j], pong: mem.pong[j] })),
    };
  }
}

/** Bytes of a tensor as stored on WebGPU (4 per element, whatever the dtype). */
function storageBytes(n: Node): number {
  return numel(tensorOf(n).shape) * 4;
}

/** The bits of table[i] (clamped like the kernels' gather) as a u32 word. */
function tableWord(table: Node, i: number): number {
  const data = table.attrs.data as Float32Array | Int32Array;
  const v = data[Math.min(i, data.length - 1)];
  return data instanceof Float32Array ? new Uint32Array(Float32Array.of(v).buffer)[0] : v >>> 0;
}

function tensorInfo(n: Node, slot: number, name: string): PlanTensor {
  const t = tensorOf(n);
  return { slot, dtype: t.dtype, shape: t.shape as number[], name };
}

/** Builds the plan for a fused graph whose dims are all bound. */
export function buildPlan(graph: Graph, caps: Capabilities): WebGPUPlan {
  const memory = planMemory(graph, { limits: caps, elementBytes: () => 4 });
  const pb = new PlanBuilder(memory, caps);
  const steps = pb.level(graph);
  const slotOf = (n: Node): number => (pb.ref(n) as { slot: number }).slot;
  const buffers: PlanBuffer[] = memory.slots.map((s) => ({
    id: s.id,
    bytes: s.bytes,
    kind: s.kind,
    labels: s.labels,
    init: pb.inits.get(s.id) ?? { kind: 'scratch' },
  }));
  const order = topoOrder(graph);
  const inputs = graph.params.map((p) => tensorInfo(p, slotOf(p), p.attrs.name as string));
  const weights = order.filter((n) => n.op === 'weight').map((n) => tensorInfo(n, slotOf(n), n.attrs.path as string));
  for (const body of order.filter((n) => n.op === 'loop').map((n) => n.regions[0])) {
    for (const n of topoOrder(body))
      if (n.op === 'weight' && !weights.some((w) => w.name === n.attrs.path)) weights.push(tensorInfo(n, slotOf(n), n.attrs.path as string));
  }
  const outputs = graph.outputs.map((o, i) => tensorInfo(o, slotOf(o), `output${i}`));
  const loop = pb.loopStats[0];
  return {
    name: graph.name,
    caps,
    graph,
    memory,
    kernels: pb.kernels,
    buffers,
    steps,
    inputs,
    weights,
    outputs,
    stats: {
      kernels: pb.kernels.length,
      dispatches: pb.dispatches,
      dispatchesPerStep: loop?.dispatches ?? 0,
      steps: pb.loopStats.reduce((a, l) => a + l.count, 0),
      peakBytes: memory.peakBytes,
      naiveBytes: memory.naiveBytes,
      flops: pb.flops,
      flopsPerStep: loop?.flops ?? 0,
    },
  };
}

/** Element count of a plan tensor. */
export function planNumel(t: PlanTensor): number {
  return numel(t.shape);
}
