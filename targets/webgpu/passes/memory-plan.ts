/**
 * memory-plan — an analysis: where every tensor of a (fused) graph lives, with buffers reused by
 * liveness, checked against device limits.
 *
 * Reads     a graph after `fuse` (any non-structural node is taken to be one kernel) with static dims.
 * Decides   a Location per value: graph inputs, weights (one buffer per path) and constants get
 *           resident buffers; kernel results get scratch buffers from a pool, a buffer returning to the
 *           pool after the last read of its value (best fit, else the largest free buffer grows);
 *           loop-carried values get a ping-pong pair, the body reads `cur` and its yields are written
 *           into `next` in place when they are body kernels yielded once (else copied at step end);
 *           `tuple_get` of a loop aliases the buffer that holds the final value.
 * Checks    every tensor within maxStorageBufferBindingSize and maxBufferSize, every kernel within
 *           maxStorageBuffersPerShaderStage (the step index and per-step tables read as table[iter]
 *           are uniforms, not storage: fuse.ts `storageInputsOf`), or a DenocError (MP0001 / MP0002)
 *           naming the tensor.
 * Reports   peak bytes (all buffers), resident vs scratch, and the bytes a plan without reuse needs.
 * Leaves    the graph unchanged (the pass wrapper only reports stats); targets read `planMemory`.
 */
import { DenocError } from '../../../compiler/core/diagnostics.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../../compiler/core/ir/node.ts';
import { bytesPerElement, formatType, isStatic, numel, type DType } from '../../../compiler/core/ir/types.ts';
import { storageInputsOf } from './fuse.ts';
import { DEFAULT_CAPABILITIES, type Capabilities } from '../capabilities.ts';
import { definePass } from '../../../compiler/passes/pass.ts';

/** The device limits the plan is checked against (a slice of the target's capability table). */
export type MemoryLimits = Pick<Capabilities, 'maxBufferSize' | 'maxStorageBufferBindingSize' | 'maxStorageBuffersPerShaderStage'>;

export interface MemoryPlanOptions {
  readonly limits: MemoryLimits;
  /** Bytes per element as the target stores it (WebGPU: 4 for every dtype). */
  readonly elementBytes?: (dtype: DType) => number;
  /** Buffer sizes are rounded up to this many bytes. */
  readonly alignment?: number;
  /** false: every value gets its own buffer (to measure what reuse saves). */
  readonly reuse?: boolean;
}

export type SlotKind = 'input' | 'weight' | 'constant' | 'scratch';

export interface BufferSlot {
  readonly id: number;
  bytes: number;
  readonly kind: SlotKind;
  /** What lives here, in order (for reports and artifacts). */
  readonly labels: string[];
}

export type Location =
  | { readonly kind: 'slot'; readonly slot: number }
  | { readonly kind: 'carried'; readonly loop: Node; readonly index: number; readonly phase: 'cur' | 'next' }
  | { readonly kind: 'none'; readonly why: string };

export interface LoopMemory {
  /** Buffers of carried value j at even / odd steps: step i reads ping[j] if i is even. */
  readonly ping: readonly number[];
  readonly pong: readonly number[];
  /** Whether yield j is written straight into the next buffer (else copied after the body). */
  readonly inPlace: readonly boolean[];
}

export interface MemoryPlan {
  readonly slots: readonly BufferSlot[];
  readonly locations: ReadonlyMap<Node, Location>;
  readonly loops: ReadonlyMap<Node, LoopMemory>;
  readonly peakBytes: number;
  readonly residentBytes: number;
  readonly scratchBytes: number;
  /** Bytes if every value had its own buffer. */
  readonly naiveBytes: number;
}

const LEAF = new Set(['param', 'weight', 'constant']);

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

class Planner {
  readonly slots: BufferSlot[] = [];
  readonly locations = new Map<Node, Location>();
  readonly loops = new Map<Node, LoopMemory>();
  private readonly free: number[] = [];
  private readonly weights = new Map<string, number>();
  /** Position after which each scratch slot's current value is dead. */
  private readonly lastUse = new Map<Node, number>();
  private readonly pendingRelease = new Map<number, number[]>();
  private pos = 0;
  naiveBytes = 0;

  constructor(private readonly opts: MemoryPlanOptions) {}

  bytesOf(n: Node): number {
    const t = tensorOf(n);
    if (!isStatic(t.shape)) {
      throw new DenocError({
        code: 'MP0003',
        severity: 'error',
        span: n.span,
        message: `memory-plan needs static shapes, but ${n.op} is ${formatType(t)}; bind the dims first (e.g. B)`,
      });
    }
    const per = (this.opts.elementBytes ?? bytesPerElement)(t.dtype);
    const align = this.opts.alignment ?? 16;
    const raw = numel(t.shape) * per;
    const bytes = Math.max(align, Math.ceil(raw / align) * align);
    const { maxStorageBufferBindingSize: bind, maxBufferSize: buf } = this.opts.limits;
    if (bytes > bind || bytes > buf) {
      const which = bytes > bind ? `maxStorageBufferBindingSize (${mib(bind)})` : `maxBufferSize (${mib(buf)})`;
      throw new DenocError({
        code: 'MP0001',
        severity: 'error',
        span: n.span,
        message: `tensor ${n.op} ${formatType(n.type)} needs ${mib(bytes)}, over the device's ${which}; split the batch or lower the resolution`,
      });
    }
    return bytes;
  }

  private newSlot(kind: SlotKind, bytes: number, label: string): number {
    const id = this.slots.length;
    this.slots.push({ id, bytes, kind, labels: [label] });
    return id;
  }

  /** A pooled buffer: best fit among free ones, else the largest free one grows, else a new one. */
  private take(bytes: number, label: string): number {
    this.naiveBytes += bytes;
    if (this.opts.reuse !== false && this.free.length) {
      const fits = this.free.filter((s) => this.slots[s].bytes >= bytes).sort((a, b) => this.slots[a].bytes - this.slots[b].bytes);
      const pick = fits[0] ?? [...this.free].sort((a, b) => this.slots[b].bytes - this.slots[a].bytes)[0];
      this.free.splice(this.free.indexOf(pick), 1);
      const slot = this.slots[pick];
      slot.bytes = Math.max(slot.bytes, bytes);
      slot.labels.push(label);
      return pick;
    }
    return this.newSlot('scratch', bytes, label);
  }

  private releaseAt(when: number, slot: number): void {
    const position = Math.max(when, this.pos);
    const list = this.pendingRelease.get(position);
    if (list) list.push(slot);
    else this.pendingRelease.set(position, [slot]);
  }

  private advance(): void {
    const done = this.pendingRelease.get(this.pos);
    if (done) for (const s of done) if (!this.free.includes(s)) this.free.push(s);
    this.pendingRelease.delete(this.pos);
    this.pos++;
  }

  private resident(n: Node, kind: SlotKind, label: string): void {
    const bytes = this.bytesOf(n);
    this.naiveBytes += bytes;
    if (n.op === 'weight') {
      const path = n.attrs.path as string;
      let s = this.weights.get(path);
      if (s === undefined) {
        s = this.newSlot('weight', bytes, label);
        this.weights.set(path, s);
      }
      this.locations.set(n, { kind: 'slot', slot: s });
      return;
    }
    this.locations.set(n, { kind: 'slot', slot: this.newSlot(kind, bytes, label) });
  }

  /** Schedules one graph level; `uses` maps each node to the positions that read it. */
  level(graph: Graph, outputsLiveTo: number, bodyOf?: { loop: Node }): void {
    const order = topoOrder(graph);
    const positions = this.positionsOf(order);
    for (const n of order) {
      const users = positions.uses.get(n) ?? [];
      const last = graph.outputs.includes(n) ? outputsLiveTo : Math.max(positions.def.get(n)!, ...users);
      this.lastUse.set(n, last);
    }
    for (const n of order) {
      if (n.op === 'param' && bodyOf) continue;
      if (LEAF.has(n.op)) {
        this.resident(n, n.op === 'param' ? 'input' : n.op === 'weight' ? 'weight' : 'constant', label(n));
        continue;
      }
      if (n.op === 'tuple_get') {
        this.aliasTupleGet(n);
        continue;
      }
      if (n.op === 'loop') {
        this.loop(n, order);
        continue;
      }
      this.checkBindings(n, bodyOf ? graph.params[0] : undefined);
      if (!this.locations.has(n)) {
        const slot = this.take(this.bytesOf(n), label(n));
        this.locations.set(n, { kind: 'slot', slot });
        this.releaseAt(this.lastUse.get(n)!, slot);
      }
      this.advance();
    }
  }

  /** Definition position of each node and the positions of its readers (loops take two positions). */
  private positionsOf(order: Node[]): { def: Map<Node, number>; uses: Map<Node, number[]> } {
    const def = new Map<Node, number>();
    const uses = new Map<Node, number[]>();
    let p = this.pos;
    for (const n of order) {
      if (LEAF.has(n.op) || n.op === 'tuple_get') {
        def.set(n, p);
        continue;
      }
      if (n.op === 'loop') {
        const start = p;
        p += countComputed(n.regions[0]);
        def.set(n, p);
        const carried = n.attrs.carried as number;
        n.inputs.forEach((i, k) => push(uses, i, k < carried ? start : p));
        p++;
        continue;
      }
      def.set(n, p);
      for (const i of n.inputs) push(uses, i, p);
      p++;
    }
    return { def, uses };
  }

  /** The buffer holding the final value: ping after an even number of steps, else pong. */
  private aliasTupleGet(n: Node): void {
    const loop = n.inputs[0];
    const mem = this.loops.get(loop)!;
    const j = n.attrs.index as number;
    this.locations.set(n, { kind: 'slot', slot: (loop.attrs.count as number) % 2 === 0 ? mem.ping[j] : mem.pong[j] });
  }

  private loop(n: Node, order: readonly Node[]): void {
    const body = n.regions[0];
    const end = this.pos + countComputed(body);
    const carried = n.attrs.carried as number;
    const init = n.inputs.slice(0, carried);
    const ping = init.map((i, j) => this.take(this.bytesOf(i), `${label(n)}.carried${j}.ping`));
    const pong = init.map((i, j) => this.take(this.bytesOf(i), `${label(n)}.carried${j}.pong`));
    const yields = body.outputs;
    const inPlace = yields.map(
      (y, j) => !LEAF.has(y.op) && y.op !== 'loop' && y.op !== 'tuple_get' && yields.indexOf(y) === j && yields.lastIndexOf(y) === j,
    );
    this.loops.set(n, { ping, pong, inPlace });
    const [iter, ...rest] = body.params;
    this.locations.set(iter, { kind: 'none', why: 'the step index is a per-step uniform' });
    rest.slice(0, carried).forEach((p, j) => this.locations.set(p, { kind: 'carried', loop: n, index: j, phase: 'cur' }));
    rest.slice(carried).forEach((p, k) => this.locations.set(p, this.locations.get(n.inputs[carried + k])!));
    yields.forEach((y, j) => {
      if (inPlace[j]) this.locations.set(y, { kind: 'carried', loop: n, index: j, phase: 'next' });
    });
    this.level(body, end, { loop: n });
    // Both buffers of carried j stay alive until the last read of the loop's result j.
    init.forEach((_, j) => {
      const gets = order.filter((g) => g.op === 'tuple_get' && g.inputs[0] === n && g.attrs.index === j);
      const last = Math.max(end, ...gets.map((g) => this.lastUse.get(g)!));
      this.releaseAt(last, ping[j]);
      this.releaseAt(last, pong[j]);
    });
    this.advance();
  }

  private checkBindings(n: Node, iter: Node | undefined): void {
    const reads = n.op === 'kernel' ? storageInputsOf(n, iter).length : new Set(n.inputs.filter((i) => i !== iter)).size;
    const limit = this.opts.limits.maxStorageBuffersPerShaderStage;
    if (reads + 1 > limit) {
      throw new DenocError({
        code: 'MP0002',
        severity: 'error',
        span: n.span,
        message: `kernel ${String(n.attrs.name ?? n.op)} binds ${reads + 1} storage buffers (${reads} inputs + output), over the device's maxStorageBuffersPerShaderStage ${limit}; lower the fuse pass's maxInputs`,
      });
    }
  }
}

function push(m: Map<Node, number[]>, n: Node, p: number): void {
  const list = m.get(n);
  if (list) list.push(p);
  else m.set(n, [p]);
}

/** Positions a body takes in the flattened schedule (one per computed node, recursively). */
function countComputed(g: Graph): number {
  let c = 0;
  for (const n of topoOrder(g)) {
    if (LEAF.has(n.op) || n.op === 'tuple_get') continue;
    c += n.op === 'loop' ? countComputed(n.regions[0]) + 1 : 1;
  }
  return c;
}

function label(n: Node): string {
  const name = n.op === 'param' ? n.attrs.name : n.op === 'weight' ? n.attrs.path : n.op === 'kernel' ? n.attrs.name : n.op;
  return `${String(name)} ${formatType(n.type)}`;
}

export function planMemory(graph: Graph, opts: MemoryPlanOptions): MemoryPlan {
  const p = new Planner(opts);
  p.level(graph, Number.MAX_SAFE_INTEGER);
  const sum = (kinds: SlotKind[]): number => p.slots.filter((s) => kinds.includes(s.kind)).reduce((a, s) => a + s.bytes, 0);
  const residentBytes = sum(['input', 'weight', 'constant']);
  const scratchBytes = sum(['scratch']);
  return {
    slots: p.slots,
    locations: p.locations,
    loops: p.loops,
    peakBytes: residentBytes + scratchBytes,
    residentBytes,
    scratchBytes,
    naiveBytes: p.naiveBytes,
  };
}

export const memoryPlan = definePass<{ reuse: boolean }>({
  name: 'memory-plan',
  summary: 'Analysis: liveness-based buffer reuse within device limits; reports peak bytes (graph unchanged)',
  options: { reuse: { default: true, help: 'reuse scratch buffers whose values are dead' } },
  run(graph, opts) {
    const plan = planMemory(graph, { limits: DEFAULT_CAPABILITIES, reuse: opts.reuse, elementBytes: () => 4 });
    return {
      graph,
      changed: false,
      stats: {
        peakBytes: plan.peakBytes,
        scratchBytes: plan.scratchBytes,
        residentBytes: plan.residentBytes,
        naiveBytes: plan.naiveBytes,
        buffers: plan.slots.length,
      },
    };
  },
});
