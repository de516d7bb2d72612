/**
 * A roofline cost model of the emitted sampler on a TPU-like chip: per op, the time the matrix unit
 * (MXU), the vector unit (VPU) and HBM would each need, the op's time as the largest of the three
 * (perfect overlap), and which one bounds it. Summed once for the setup and per sampling step.
 *
 * - MXU ops (matmul, conv2d, attention) run on 128×128 bf16 systolic arrays: contraction and output
 *   feature dims are padded to 128, rows to 8 sublanes; `paddingWaste` is the share of padded work.
 *   Precision 'f32' asks for HIGHEST, which XLA:TPU runs as 6 bf16 passes (bf16_6x in JAX's
 *   precision docs); 'bf16' is one pass with f32 accumulation.
 * - Everything else runs on the VPU at `vectorOpsPerSecond`, flops from the op registry's cost.
 * - Bytes: every input and output once, 4 bytes per element, 2 for bf16 weights under 'bf16'.
 *   With `assumeFusion` (default) elementwise/broadcast ops move no HBM bytes: XLA fuses them into
 *   their neighbours, so only anchors (reductions, MXU ops, data movement) touch memory.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindType, formatShape, type TensorType } from '../../compiler/core/ir/types.ts';
import { getOp, opCost } from '../../compiler/core/ops/registry.ts';
import { formatSpan } from '../../compiler/core/ir/span.ts';

export interface TpuChip {
  readonly name: string;
  /** Peak bf16 matrix throughput of the chip, FLOP/s. */
  readonly mxuFlopsPerSecond: number;
  /** f32 elementwise operations per second of the vector units. */
  readonly vectorOpsPerSecond: number;
  readonly hbmBytesPerSecond: number;
  /** Side of the systolic array and the lane/sublane tile of arrays. */
  readonly mxuSize: number;
  readonly sublanes: number;
  /** bf16 passes per f32 (HIGHEST precision) matmul. */
  readonly f32Passes: number;
  readonly sources: readonly string[];
}

/**
 * TPU v4: 2 TensorCores × 4 MXUs of 128×128 at 1050 MHz = 275 TFLOP/s bf16; 32 GiB HBM2 at 1200 GB/s
 * (cloud.google.com/tpu/docs/v4; Jouppi et al., ISCA 2023). The VPU figure is an estimate, not a
 * published number: 2 cores × (8 sublanes × 128 lanes) × 1050 MHz, one f32 op per lane per cycle.
 */
export const TPU_V4: TpuChip = {
  name: 'TPU v4',
  mxuFlopsPerSecond: 275e12,
  vectorOpsPerSecond: 2 * 8 * 128 * 1.05e9,
  hbmBytesPerSecond: 1200e9,
  mxuSize: 128,
  sublanes: 8,
  f32Passes: 6,
  sources: ['cloud.google.com/tpu/docs/v4 (275 TFLOP/s bf16, 32 GiB HBM2 at 1200 GBps)', 'Jouppi et al., TPU v4, ISCA 2023'],
};

export type Bound = 'mxu' | 'vector' | 'memory';

export interface TpuOpCost {
  readonly op: string;
  readonly shape: string;
  /** The DSL position of the op, when known. */
  readonly where: string;
  /** Executions per sample: 1 outside loops, the step count inside one. */
  readonly repeats: number;
  readonly inLoop: boolean;
  readonly flops: number;
  /** MXU work after tile padding (0 for VPU ops). */
  readonly mxuFlops: number;
  readonly bytes: number;
  readonly mxuTime: number;
  readonly vectorTime: number;
  readonly memoryTime: number;
  /** Seconds for one execution. */
  readonly time: number;
  readonly bound: Bound;
  readonly paddingWaste: number;
}

export interface TpuCostOptions {
  readonly dims?: Readonly<Record<string, number>>;
  readonly precision?: 'f32' | 'bf16';
  readonly chip?: TpuChip;
  readonly assumeFusion?: boolean;
}

export interface TpuCostSummary {
  readonly chip: TpuChip;
  readonly ops: readonly TpuOpCost[];
  /** Seconds for the ops outside any loop, for one step of the outermost loop, and in all. */
  readonly setupTime: number;
  readonly stepTime: number;
  readonly steps: number;
  readonly totalTime: number;
}

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;
const STRUCTURAL = new Set(['param', 'weight', 'constant', 'loop', 'tuple_get', 'kernel']);
const FUSIBLE = new Set(['elementwise', 'broadcast']);

/** MXU work of one matmul-shaped contraction: rows × depth × cols, repeated `count` times. */
export function mxuWork(chip: TpuChip, count: number, rows: number, depth: number, cols: number): { real: number; padded: number } {
  return {
    real: 2 * count * rows * depth * cols,
    padded: 2 * count * roundUp(rows, chip.sublanes) * roundUp(depth, chip.mxuSize) * roundUp(cols, chip.mxuSize),
  };
}

function staticShape(n: Node, dims: Readonly<Record<string, number>>, t: TensorType = n.type as TensorType): number[] {
  const shape = bindType(t, dims).shape;
  if (shape.some((d) => typeof d !== 'number')) {
    fail('HLO0001', `${n.op} ${formatShape(shape)} has unbound dims; pass dims to the TPU cost model`, n.span);
  }
  return shape as number[];
}

/** Real and padded MXU flops of an MXU op, or undefined for VPU ops. */
function mxuOf(chip: TpuChip, n: Node, dims: Readonly<Record<string, number>>): { real: number; padded: number } | undefined {
  const inShape = (i: number): number[] => staticShape(n.inputs[i], dims);
  const out = staticShape(n, dims);
  const prod = (xs: readonly number[]): number => xs.reduce((p, d) => p * d, 1);
  if (n.op === 'matmul') {
    const a = inShape(0);
    const k = n.attrs.transposeA ? a[a.length - 2] : a[a.length - 1];
    return mxuWork(chip, prod(out.slice(0, -2)), out[out.length - 2], k, out[out.length - 1]);
  }
  if (n.op === 'conv2d') {
    // Implicit GEMM per group and kernel tap: rows = N·H'·W', depth = C/g, cols = O/g.
    const [, cg, kh, kw] = inShape(1);
    const g = n.attrs.groups as number;
    const [nb, o, oh, ow] = out;
    return mxuWork(chip, g * kh * kw, nb * oh * ow, cg, o / g);
  }
  if (n.op === 'attention') {
    const q = inShape(0),
      k = inShape(1);
    const batch = prod(out.slice(0, -2));
    const [lq, dv] = out.slice(-2),
      lk = k[k.length - 2],
      d = q[q.length - 1];
    const s = mxuWork(chip, batch, lq, d, lk),
      p = mxuWork(chip, batch, lq, lk, dv);
    return { real: s.real + p.real, padded: s.padded + p.padded };
  }
  return undefined;
}

interface Walk {
  chip: TpuChip;
  dims: Readonly<Record<string, number>>;
  bf16: boolean;
  fusion: boolean;
  ops: TpuOpCost[];
}

function bytesOf(w: Walk, n: Node, mxu: boolean): number {
  if (w.fusion && FUSIBLE.has(getOp(n.op).fusion)) return 0;
  const elems = (x: Node): number => staticShape(x, w.dims).reduce((p, d) => p * d, 1);
  const width = (x: Node): number => (w.bf16 && mxu && x.op === 'weight' ? 2 : 4);
  return n.inputs.reduce((s, x) => s + elems(x) * width(x), elems(n) * 4);
}

function costOp(w: Walk, n: Node, repeats: number, inLoop: boolean, where: string): TpuOpCost {
  const { chip } = w;
  const mxu = mxuOf(chip, n, w.dims);
  const bound = (t: TensorType): TensorType => ({ ...t, shape: staticShape(n, w.dims, t) });
  const regCost = opCost(
    getOp(n.op),
    n.inputs.map((x) => bound(x.type as TensorType)),
    bound(n.type as TensorType),
    n.attrs,
  );
  const passes = w.bf16 ? 1 : chip.f32Passes;
  const mxuTime = mxu ? (mxu.padded * passes) / chip.mxuFlopsPerSecond : 0;
  const vectorFlops = mxu ? Math.max(0, regCost.flops - mxu.real) : regCost.flops;
  const vectorTime = vectorFlops / chip.vectorOpsPerSecond;
  const bytes = bytesOf(w, n, mxu !== undefined);
  const memoryTime = bytes / chip.hbmBytesPerSecond;
  const time = Math.max(mxuTime, vectorTime, memoryTime);
  const boundBy: Bound = time === memoryTime ? 'memory' : time === mxuTime ? 'mxu' : 'vector';
  return {
    op: n.op,
    shape: formatShape(staticShape(n, w.dims)),
    where,
    repeats,
    inLoop,
    flops: regCost.flops,
    mxuFlops: mxu?.padded ?? 0,
    bytes,
    mxuTime,
    vectorTime,
    memoryTime,
    time,
    bound: boundBy,
    paddingWaste: mxu?.padded ? 1 - mxu.real / mxu.padded : 0,
  };
}

function walkGraph(w: Walk, g: Graph, repeats: number, inLoop: boolean): void {
  for (const n of topoOrder(g)) {
    if (n.op === 'loop') walkGraph(w, n.regions[0], repeats * (n.attrs.count as number), true);
    else if (n.op === 'kernel') walkGraph(w, n.regions[0], repeats, inLoop);
    else if (!STRUCTURAL.has(n.op)) w.ops.push(costOp(w, n, repeats, inLoop, formatSpan(n.span)));
  }
}

/** Estimates the sampler's time on `chip` (TPU v4 by default), op by op. */
export function estimateTpuCost(graph: Graph, opts: TpuCostOptions = {}): TpuCostSummary {
  const chip = opts.chip ?? TPU_V4;
  const w: Walk = { chip, dims: opts.dims ?? {}, bf16: (opts.precision ?? 'bf16') === 'bf16', fusion: opts.assumeFusion ?? true, ops: [] };
  walkGraph(w, graph, 1, false);
  const setupTime = w.ops.filter((o) => !o.inLoop).reduce((s, o) => s + o.time, 0);
  const steps = topoOrder(graph)
    .filter((n) => n.op === 'loop')
    .reduce((s, n) => s + (n.attrs.count as number), 0);
  const loopTotal = w.ops.filter((o) => o.inLoop).reduce((s, o) => s + o.time * o.repeats, 0);
  return { chip, ops: w.ops, setupTime, stepTime: steps ? loopTotal / steps : 0, steps, totalTime: setupTime + loopTotal };
}

const us = (s: number): string => (s * 1e6).toPrecision(3);

/** The cost model as a table for `denoc inspect --cost tpu`. */
export function tpuCostReport(graph: Graph, opts: TpuCostOptions = {}): string {
  const c = estimateTpuCost(graph, opts);
  const lines = [
    `TPU cost model: ${c.chip.name} (${c.chip.mxuFlopsPerSecond / 1e12} TFLOP/s bf16, ${c.chip.hbmBytesPerSecond / 1e9} GB/s HBM), ` +
      `precision ${opts.precision ?? 'bf16'}`,
    `${'op'.padEnd(20)} ${'shape'.padEnd(22)} ${'repeat'.padStart(6)} ${'MFLOP'.padStart(10)} ${'KB'.padStart(10)} ${'µs'.padStart(9)}  bound   pad-waste`,
  ];
  for (const o of c.ops) {
    lines.push(
      `${o.op.padEnd(20)} ${o.shape.padEnd(22)} ${String(o.repeats).padStart(6)} ${(o.flops / 1e6).toFixed(3).padStart(10)} ` +
        `${(o.bytes / 1024).toFixed(1).padStart(10)} ${us(o.time).padStart(9)}  ${o.bound.padEnd(7)} ${(o.paddingWaste * 100).toFixed(0)}%`,
    );
  }
  const byBound = (b: Bound): number => c.ops.filter((o) => o.bound === b).reduce((s, o) => s + o.time * o.repeats, 0);
  const share = (b: Bound): string => `${c.totalTime ? ((100 * byBound(b)) / c.totalTime).toFixed(0) : 0}%`;
  lines.push(
    `setup ${us(c.setupTime)} µs; per step ${us(c.stepTime)} µs × ${c.steps}; total ${us(c.totalTime)} µs`,
    `time share: MXU-bound ${share('mxu')}, vector-bound ${share('vector')}, memory-bound ${share('memory')}`,
    '',
  );
  return lines.join('\n');
}
