/**
 * fuse — groups producer chains into single kernels, driven by the op registry's fusion kinds.
 *
 * Rewrites  %y = silu(add(conv2d(%x, %w), %b))
 *       →   %y = kernel(%x, %w, %b) {name="fused_conv2d_add_silu", dtype="f32", shape=[...]}
 *               body(%in0, %in1, %in2) { %0 = conv2d(%in0, %in1); %1 = add(%0, %in2); %2 = silu(%1); yield %2 }
 * A fused kernel is an op `kernel` (declared with the structural ops in compiler/core/ops) whose one region holds the fused subgraph; its
 * params are the kernel's inputs, its single output the kernel's result. Scalar-ish constants
 * (≤ `inlineConstants` elements) are copied into the region instead of becoming inputs.
 *
 * Grouping (after XLA's loop/input/output fusion and TVM's OpPatternKind):
 *   1. every anchor (reduction, out-fusable, or opaque compute such as attention) takes its
 *      elementwise consumers of the same shape as an epilogue, while the group keeps one exit;
 *   2. the remaining elementwise/broadcast/injective ops join the kernel of their consumers when all
 *      their users are in it: as side inputs of an epilogue, as the prologue of a reduction, and —
 *      for matmul/conv/attention operands, which are re-read per tile — only if they move data;
 *   3. everything left is a kernel of its own. Leaves, loops and graph outputs are never fused away.
 * Keeps     graph outputs and loop yields materialized; no reassociation, so numerics are unchanged.
 * Leaves    buffer reuse to memory-plan; tiling and codegen to the targets. The reference executor
 *           does not run `kernel` ops: run it on the unfused graph (`inlineKernels` undoes this pass).
 * `canFuse` explains every refusal; `denoc inspect --why-not-fused` prints `explainFusion`.
 */
import { GraphBuilder } from '../../../compiler/core/ir/builder.ts';
import { tensorOf, topoOrder, usersOf, type Graph, type Node } from '../../../compiler/core/ir/node.ts';
import { isStatic, numel, sameShape, type TensorType } from '../../../compiler/core/ir/types.ts';
import { getOp, type FusionKind } from '../../../compiler/core/ops/registry.ts';
import { formatSpan } from '../../../compiler/core/ir/span.ts';
import { definePass } from '../../../compiler/passes/pass.ts';
import { DEFAULT_CAPABILITIES } from '../capabilities.ts';

export interface FuseOptions {
  readonly enabled: boolean;
  readonly maxOpsPerKernel: number;
  /** Storage inputs a kernel may read: the device's storage bindings minus the output. */
  readonly maxInputs: number;
  readonly inlineConstants: number;
}

export const DEFAULT_FUSE_OPTIONS: FuseOptions = {
  enabled: true,
  maxOpsPerKernel: 64,
  maxInputs: DEFAULT_CAPABILITIES.maxStorageBuffersPerShaderStage - 1,
  inlineConstants: 16,
};

export type FusionDecision = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface FusionRefusal {
  readonly producer: Node;
  readonly consumer: Node;
  readonly reason: string;
}

const STRUCTURAL = new Set(['param', 'weight', 'constant', 'loop', 'tuple_get', 'kernel']);
const isCompute = (n: Node): boolean => !STRUCTURAL.has(n.op);
const kindOf = (n: Node): FusionKind => getOp(n.op).fusion;
const isAnchor = (n: Node): boolean => isCompute(n) && !['elementwise', 'broadcast', 'injective'].includes(kindOf(n));
const NO: (reason: string) => FusionDecision = (reason) => ({ ok: false, reason });
const OK: FusionDecision = { ok: true };

/** Whether `producer` may be computed inside the kernel that computes `consumer` (pairwise rules). */
export function canFuse(producer: Node, consumer: Node, outputs: ReadonlySet<Node> = new Set()): FusionDecision {
  if (!isCompute(producer)) return NO(`${producer.op} is not computed by a kernel`);
  if (!isCompute(consumer)) return NO(`${consumer.op} is not computed by a kernel`);
  if (outputs.has(producer)) return NO(`${producer.op} is a graph output or loop yield and must be written to memory`);
  if (isAnchor(producer) && isAnchor(consumer)) {
    return NO(`${producer.op} (${kindOf(producer)}) and ${consumer.op} (${kindOf(consumer)}) are both heavy ops; a kernel holds one`);
  }
  if (isAnchor(producer)) {
    if (kindOf(consumer) === 'injective')
      return NO(`${consumer.op} re-indexes the ${producer.op} result; only elementwise consumers join its epilogue`);
    if (!sameShape(tensorOf(consumer).shape, tensorOf(producer).shape)) {
      return NO(`${consumer.op} broadcasts the ${producer.op} result; the ${producer.op} would be recomputed per element`);
    }
    return OK;
  }
  if (isAnchor(consumer) && kindOf(consumer) !== 'reduction' && kindOf(producer) !== 'injective') {
    return NO(`${producer.op} would be recomputed for every tile of ${consumer.op}; only data movement fuses into its operands`);
  }
  return OK;
}

const isTableConstant = (n: Node): boolean => n.op === 'constant' && tensorOf(n).shape.length === 1;

/** Every reader of `table` is a scalar `gather(table, iter)`. */
function readOnlyAtStep(table: Node, readers: readonly Node[], iter: Node): boolean {
  return readers.every((r) => r.op === 'gather' && r.inputs[0] === table && r.inputs[1] === iter && tensorOf(r).shape.length === 0);
}

/**
 * A per-step coefficient table: a 1-D constant that the kernel reads only as `table[iter]`.
 * Targets with a per-step uniform block (WebGPU) pass these values without a storage binding,
 * so they do not count against the kernel's input budget (nor does the step index itself).
 */
export function isStepTable(input: Node, readers: readonly Node[], iter: Node | undefined): boolean {
  return iter !== undefined && isTableConstant(input) && readOnlyAtStep(input, readers, iter);
}

/** Storage inputs of a built kernel: its inputs except the step index and per-step tables. */
export function storageInputsOf(kernel: Node, iter: Node | undefined): Node[] {
  const region = kernel.regions[0];
  const regionIter = iter ? region.params[kernel.inputs.indexOf(iter)] : undefined;
  const users = usersOf(region);
  const storage = kernel.inputs.filter((input, k) => {
    if (input === iter) return false;
    const p = region.params[k];
    return !(regionIter && isTableConstant(input) && readOnlyAtStep(p, users.get(p) ?? [], regionIter));
  });
  return [...new Set(storage)];
}

interface Group {
  readonly nodes: Set<Node>;
  readonly anchor?: Node;
  readonly root: Node;
}

class Grouping {
  readonly groupOf = new Map<Node, Group>();
  readonly refusals: FusionRefusal[] = [];
  readonly users: Map<Node, Node[]>;
  readonly outputs: Set<Node>;
  readonly order: Node[];

  constructor(
    readonly graph: Graph,
    readonly opts: FuseOptions,
    readonly iter?: Node,
  ) {
    this.users = usersOf(graph);
    this.outputs = new Set(graph.outputs);
    this.order = topoOrder(graph);
  }

  private usersOf(n: Node): Node[] {
    return this.users.get(n) ?? [];
  }

  private readonly refused = new Set<string>();

  private refuse(producer: Node, consumer: Node, reason: string): void {
    const key = `${producer.id}>${consumer.id}`;
    if (this.refused.has(key)) return;
    this.refused.add(key);
    this.refusals.push({ producer, consumer, reason });
  }

  /**
   * A per-step coefficient `table[iter]` (what fold-constants leaves in a loop body): copied into
   * every kernel that reads it, like a small constant, rather than computed once and stored.
   */
  remat(n: Node): boolean {
    return (
      n.op === 'gather' &&
      n.inputs[1] === this.iter &&
      isStepTable(n.inputs[0], [n], this.iter) &&
      !this.outputs.has(n) &&
      this.usersOf(n).every(isCompute)
    );
  }

  /** External tensors the group would read (small constants are inlined, step coefficients copied in). */
  inputsOf(nodes: ReadonlySet<Node>): Node[] {
    const out: Node[] = [];
    const add = (i: Node): void => {
      if (nodes.has(i) || out.includes(i) || this.inlinable(i)) return;
      if (this.remat(i)) i.inputs.forEach(add);
      else out.push(i);
    };
    for (const n of this.order) if (nodes.has(n)) n.inputs.forEach(add);
    return out;
  }

  inlinable(n: Node): boolean {
    const t = tensorOf(n);
    return n.op === 'constant' && isStatic(t.shape) && numel(t.shape) <= this.opts.inlineConstants;
  }

  private budget(nodes: ReadonlySet<Node>, extra: Node): FusionDecision {
    const next = new Set(nodes).add(extra);
    if (next.size > this.opts.maxOpsPerKernel) return NO(`the kernel would exceed ${this.opts.maxOpsPerKernel} ops`);
    const readers = (i: Node): Node[] => [...next].filter((n) => n.inputs.includes(i));
    // Tables reached only through copied-in step coefficients have no direct readers: free too.
    const inputs = this.inputsOf(next).filter((i) => i !== this.iter && !isStepTable(i, readers(i), this.iter)).length;
    if (inputs > this.opts.maxInputs) return NO(`the kernel would read ${inputs} tensors (limit ${this.opts.maxInputs} storage inputs)`);
    return OK;
  }

  /** Phase 1: each anchor takes same-shape elementwise consumers while the group keeps one exit. */
  growEpilogue(anchor: Node): void {
    const group: Group = { nodes: new Set([anchor]), anchor, root: anchor };
    let best = { nodes: new Set(group.nodes), root: anchor };
    const downstream = this.downstreamOf(anchor);
    for (;;) {
      const cands = this.order.filter((u) => !group.nodes.has(u) && u.inputs.some((i) => group.nodes.has(i)));
      const next = cands.find((u) => {
        if (!this.opts.enabled || this.groupOf.has(u)) return false;
        if (u.inputs.some((i) => !group.nodes.has(i) && downstream.has(i))) return false;
        const fed = u.inputs.find((i) => group.nodes.has(i))!;
        const d = canFuse(anchor, u, this.outputs);
        const rule = d.ok && fed !== anchor ? canFuse(fed, u, this.outputs) : d;
        const all = rule.ok ? this.budget(group.nodes, u) : rule;
        if (!all.ok && isCompute(u)) this.refuse(fed, u, fed === anchor ? all.reason : `in the kernel of ${anchor.op}, ${all.reason}`);
        return all.ok;
      });
      if (!next) break;
      group.nodes.add(next);
      if (this.exits(group.nodes).length <= 1) best = { nodes: new Set(group.nodes), root: next };
    }
    const final: Group = { nodes: best.nodes, anchor, root: best.root };
    for (const n of final.nodes) this.groupOf.set(n, final);
  }

  private downstreamOf(n: Node): Set<Node> {
    const seen = new Set<Node>();
    const stack = [n];
    while (stack.length) {
      for (const u of this.usersOf(stack.pop()!)) {
        if (seen.has(u)) continue;
        seen.add(u);
        stack.push(u);
      }
    }
    return seen;
  }

  private exits(nodes: ReadonlySet<Node>): Node[] {
    return [...nodes].filter((n) => this.outputs.has(n) || this.usersOf(n).some((u) => !nodes.has(u)));
  }

  /** Phase 2: an ungrouped op joins its consumers' kernel, or starts its own. */
  place(p: Node): void {
    const users = this.usersOf(p);
    const groups = new Set(users.map((u) => this.groupOf.get(u)));
    const target = groups.size === 1 ? [...groups][0] : undefined;
    const decision = this.joinDecision(p, users, target, groups.size);
    if (target && decision.ok) {
      target.nodes.add(p);
      this.groupOf.set(p, target);
      return;
    }
    const consumer = users.find(isCompute);
    if (!decision.ok && consumer && this.opts.enabled) this.refuse(p, consumer, decision.reason);
    this.groupOf.set(p, { nodes: new Set([p]), anchor: isAnchor(p) ? p : undefined, root: p });
  }

  private joinDecision(p: Node, users: Node[], target: Group | undefined, groupCount: number): FusionDecision {
    if (!this.opts.enabled) return NO('fusion is disabled');
    if (this.outputs.has(p)) return NO(`${p.op} is a graph output or loop yield and must be written to memory`);
    const structural = users.find((u) => !isCompute(u));
    if (structural) return NO(`${p.op} is read by a ${structural.op}, so it is written to memory`);
    if (!target) return NO(users.length ? `${p.op} has users in ${groupCount} different kernels` : `${p.op} has no users`);
    for (const u of users) {
      const d = canFuse(p, u, this.outputs);
      if (!d.ok) return d;
      if (target.anchor && u !== target.anchor && this.feedsAnchor(u, target)) {
        const viaAnchor = canFuse(p, target.anchor, this.outputs);
        if (!viaAnchor.ok) return viaAnchor;
      }
    }
    return this.budget(target.nodes, p);
  }

  /** Whether `n` (in `g`) is part of the anchor's prologue, i.e. the anchor depends on it. */
  private feedsAnchor(n: Node, g: Group): boolean {
    const stack = [...g.anchor!.inputs];
    const seen = new Set<Node>();
    while (stack.length) {
      const x = stack.pop()!;
      if (x === n) return true;
      if (seen.has(x) || !g.nodes.has(x)) continue;
      seen.add(x);
      stack.push(...x.inputs);
    }
    return false;
  }

  run(): Group[] {
    for (const n of this.order) if (isAnchor(n) && !this.groupOf.has(n)) this.growEpilogue(n);
    for (const n of [...this.order].reverse()) if (isCompute(n) && !this.groupOf.has(n) && !this.remat(n)) this.place(n);
    return [...new Set(this.groupOf.values())];
  }
}

/** Deterministic kernel name: the fused ops in dataflow order (`fused_conv2d_add_silu`). */
export function kernelName(ops: readonly string[]): string {
  if (ops.length === 1) return ops[0];
  const shown = ops.slice(0, 6).join('_');
  return ops.length > 6 ? `fused_${shown}_and_${ops.length - 6}_more` : `fused_${shown}`;
}

function buildKernel(b: GraphBuilder, g: Group, grouping: Grouping, map: Map<Node, Node>): Node {
  const inputs = grouping.inputsOf(g.nodes);
  const order = grouping.order.filter((n) => g.nodes.has(n));
  const name = kernelName(order.map((n) => n.op));
  const rb = new GraphBuilder(name);
  const inner = new Map<Node, Node>();
  inputs.forEach((n, i) => inner.set(n, rb.param(`in${i}`, tensorOf(n), n.span)));
  const local = (i: Node): Node => {
    const have = inner.get(i);
    if (have) return have;
    if (grouping.inlinable(i)) return rb.op(i.op, [], i.attrs, i.span);
    if (grouping.remat(i)) return rb.op(i.op, i.inputs.map(local), i.attrs, i.span);
    throw new Error(`fuse: input ${i.op} missing while building ${name}`);
  };
  for (const n of order) inner.set(n, rb.op(n.op, n.inputs.map(local), n.attrs, n.span, n.regions));
  const region = rb.finish([inner.get(g.root)!]);
  const t: TensorType = tensorOf(g.root);
  return b.op(
    'kernel',
    inputs.map((i) => map.get(i)!),
    { name, dtype: t.dtype, shape: t.shape },
    g.root.span,
    [region],
  );
}

export interface FuseResult {
  readonly graph: Graph;
  readonly kernels: number;
  readonly fusedOps: number;
  readonly refusals: FusionRefusal[];
}

/** Fuses one graph level and, recursively, loop bodies. */
export function fuseGraph(graph: Graph, opts: FuseOptions = DEFAULT_FUSE_OPTIONS, iter?: Node): FuseResult {
  const grouping = new Grouping(graph, opts, iter);
  grouping.run();
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  let kernels = 0,
    fusedOps = 0;
  const refusals = [...grouping.refusals];
  for (const p of graph.params) map.set(p, b.param(p.attrs.name as string, tensorOf(p), p.span));
  for (const n of grouping.order) {
    if (map.has(n)) continue;
    const g = grouping.groupOf.get(n);
    if (g) {
      if (g.root !== n) continue;
      map.set(n, buildKernel(b, g, grouping, map));
      kernels++;
      fusedOps += g.nodes.size;
      continue;
    }
    const regions = n.regions.map((r) => {
      const inner = fuseGraph(r, opts, n.op === 'loop' ? r.params[0] : undefined);
      kernels += inner.kernels;
      fusedOps += inner.fusedOps;
      refusals.push(...inner.refusals);
      return inner.graph;
    });
    map.set(
      n,
      b.op(
        n.op,
        n.inputs.map((i) => map.get(i)!),
        n.attrs,
        n.span,
        regions,
      ),
    );
  }
  return { graph: b.finish(graph.outputs.map((o) => map.get(o)!)), kernels, fusedOps, refusals };
}

/** The refusals that kept ops in separate kernels, one line each. */
export function fusionRefusals(graph: Graph, opts: Partial<FuseOptions> = {}): string[] {
  const { refusals } = fuseGraph(graph, { ...DEFAULT_FUSE_OPTIONS, ...opts });
  return refusals.map((r) => `${r.producer.op} → ${r.consumer.op} at ${formatSpan(r.consumer.span)}: ${r.reason}`);
}

/** The report `denoc inspect --why-not-fused` prints: kernel count, then every refusal. */
export function explainFusion(graph: Graph, opts: Partial<FuseOptions> = {}): string {
  const r = fuseGraph(graph, { ...DEFAULT_FUSE_OPTIONS, ...opts });
  // A block instantiated N times refuses the same fusion N times: print each line once, with ×N.
  const counts = new Map<string, number>();
  for (const x of r.refusals) {
    const line = `  ${x.producer.op} → ${x.consumer.op} at ${formatSpan(x.consumer.span)}: ${x.reason}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  const lines = [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line));
  return `${r.fusedOps} ops in ${r.kernels} kernels; ${r.refusals.length} fusions refused:\n${lines.join('\n')}\n`;
}

/** Replaces every `kernel` node by its region's ops (the inverse of fuse), e.g. for the reference executor. */
export function inlineKernels(graph: Graph): Graph {
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  for (const p of graph.params) map.set(p, b.param(p.attrs.name as string, tensorOf(p), p.span));
  for (const n of topoOrder(graph)) {
    if (map.has(n)) continue;
    const ins = n.inputs.map((i) => map.get(i)!);
    if (n.op !== 'kernel') {
      map.set(n, b.op(n.op, ins, n.attrs, n.span, n.regions.map(inlineKernels)));
      continue;
    }
    const region = n.regions[0];
    const inner = new Map<Node, Node>(region.params.map((p, i) => [p, ins[i]]));
    for (const r of topoOrder(region))
      if (!inner.has(r))
        inner.set(
          r,
          b.op(
            r.op,
            r.inputs.map((i) => inner.get(i)!),
            r.attrs,
            r.span,
            r.regions,
          ),
        );
    map.set(n, inner.get(region.outputs[0])!);
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

export const fuse = definePass<{ enabled: boolean; maxOpsPerKernel: number; maxInputs: number; inlineConstants: number }>({
  name: 'fuse',
  summary: 'Fuse producer chains into kernels by fusion kind (elementwise chains, epilogues, norm+activation)',
  options: {
    enabled: { default: true, help: 'false makes every op its own kernel' },
    maxOpsPerKernel: { default: DEFAULT_FUSE_OPTIONS.maxOpsPerKernel, help: 'upper bound on ops in one kernel' },
    maxInputs: { default: DEFAULT_FUSE_OPTIONS.maxInputs, help: 'storage inputs per kernel (device binding limit minus the output)' },
    inlineConstants: { default: DEFAULT_FUSE_OPTIONS.inlineConstants, help: 'constants up to this many elements are copied into kernels' },
  },
  run(graph, opts) {
    const r = fuseGraph(graph, opts);
    return { graph: r.graph, changed: r.kernels > 0, stats: { kernels: r.kernels, fusedOps: r.fusedOps, refusals: r.refusals.length } };
  },
});
