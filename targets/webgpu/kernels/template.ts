/**
 * What every kernel template receives and returns, plus the helpers they share: splitting a flat
 * index into a multi-index, writing the kernel's root value (the fused epilogue) to `out`, and
 * spreading a large 1-D dispatch over two grid dimensions.
 */
import { tensorOf, type Node } from '../../../compiler/core/ir/node.ts';
import { sameShape } from '../../../compiler/core/ir/types.ts';
import type { Capabilities } from '../capabilities.ts';
import type { KernelWriter } from '../wgsl.ts';
import { staticShape, stridesOf } from '../wgsl-util.ts';

export interface TemplateArgs {
  readonly w: KernelWriter;
  /** The region's output, written to `out`. */
  readonly root: Node;
  /** The one non-expression op (matmul, conv2d, reduction, ...), absent for elementwise kernels. */
  readonly anchor?: Node;
  readonly caps: Capabilities;
}

export interface TemplateResult {
  /** Threads per workgroup (1-D). */
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number, number];
  /** Specialization parameters beyond the region text (tile sizes, modes); part of the cache key. */
  readonly params: Readonly<Record<string, number | string>>;
  /** Useful floating-point operations of one dispatch (for GFLOP/s reports). */
  readonly flops: number;
}

export type Template = (args: TemplateArgs) => TemplateResult;

/** Multi-index of flat row-major element `flat` of `shape`. */
export function unflatten(w: KernelWriter, flat: string, shape: readonly number[]): string[] {
  const strides = stridesOf(shape);
  return shape.map((d, i) => {
    if (d === 1) return '0u';
    const q = strides[i] === 1 ? flat : `${flat} / ${strides[i]}u`;
    return w.let(i === 0 ? q : `(${q}) % ${d}u`, 'i');
  });
}

/** Writes the root's value at `idx` to `out`; `anchorValue` is what the template computed for the anchor there. */
export function storeRoot(w: KernelWriter, args: TemplateArgs, idx: readonly string[], anchorValue?: string): void {
  if (args.anchor && anchorValue !== undefined) w.setOverride(args.anchor, idx, anchorValue);
  const v = w.value(args.root, idx);
  const dtype = tensorOf(args.root).dtype;
  w.line(`out[${w.offset(staticShape(args.root), idx)}] = ${dtype === 'bool' ? `select(0u, 1u, ${v})` : v};`);
}

/** The epilogue reads the anchor at the root's index, so both must have one shape. */
export function requireEpilogueShape(args: TemplateArgs): void {
  const a = args.anchor;
  if (a && !sameShape(tensorOf(a).shape, tensorOf(args.root).shape)) {
    throw new Error(`kernel root ${args.root.op} has another shape than its anchor ${a.op}; fusion must not broadcast an anchor`);
  }
}

/** A 1-D count of workgroups spread over x and y within the per-dimension limit. */
export function grid1d(groups: number, caps: Capabilities): [number, number, number] {
  const max = caps.maxComputeWorkgroupsPerDimension;
  if (groups <= max) return [Math.max(1, groups), 1, 1];
  const y = Math.ceil(groups / max);
  return [Math.ceil(groups / y), y, 1];
}

/** The linear workgroup number for a grid1d dispatch. */
export const LINEAR_WORKGROUP = 'wid.x + wid.y * nwg.x';
