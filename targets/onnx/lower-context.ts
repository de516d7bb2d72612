/**
 * What an ONNX lowering sees and does. A lowering turns one IR node into ONNX nodes through the
 * graph writer, reading attributes, the names of its already-lowered inputs and static shapes; it
 * writes its result to `out`. Helpers here are the idioms several families need.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { Attrs, Node } from '../../compiler/core/ir/node.ts';
import type { DType } from '../../compiler/core/ir/types.ts';
import type { OnnxAttr, OnnxDType, OnnxGraphWriter } from './model.ts';

export interface LowerCtx {
  readonly w: OnnxGraphWriter;
  readonly node: Node;
  readonly attrs: Attrs;
  /** ONNX value names of the node's inputs, in order. */
  readonly inputs: readonly string[];
  /** The name the lowering's result must be written to. */
  readonly out: string;
  /** The node's result shape with dims bound. */
  readonly shape: readonly number[];
  /** The bound shape of input `i`. */
  inputShape(i: number): readonly number[];
}

export type Lowering = (ctx: LowerCtx) => void;

export type LoweringEntry =
  | { readonly kind: 'lower'; readonly lower: Lowering }
  | { readonly kind: 'structural'; readonly why: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

export const lower = (fn: Lowering): LoweringEntry => ({ kind: 'lower', lower: fn });

/** A lowering-time failure that names the node. */
export function lowerFail(ctx: LowerCtx, message: string): never {
  return fail('ONNX0101', `${ctx.node.op}: ${message}`, ctx.node.span);
}

/** The ONNX element type of an IR dtype; f16, bf16 and u32 are not emitted. */
export function onnxDType(d: DType, where?: Node): OnnxDType {
  if (d === 'f32' || d === 'i32' || d === 'bool') return d;
  return fail('ONNX0003', `the ONNX target emits f32, i32 and bool tensors, not ${d}${where ? ` (%${where.id} ${where.op})` : ''}`, where?.span);
}

/** An int64 vector (shapes, axes, pads). */
export const i64 = (ctx: LowerCtx, values: readonly number[]): string => ctx.w.constant('i64', values);

/** An f32 scalar. */
export const f32 = (ctx: LowerCtx, value: number): string => ctx.w.constant('f32', [value], []);

export const ints = (v: unknown): number[] => [...(v as readonly number[])];

/** Swaps the last two axes of a value of rank `rank`. */
export function swapLast(ctx: LowerCtx, x: string, rank: number): string {
  return ctx.w.emit('Transpose', [x], { perm: { ints: [...Array(rank - 2).keys(), rank - 1, rank - 2] } });
}

/** A one-node lowering: `op` on the inputs as they are, with fixed attributes. */
export const direct = (op: string, attrs?: (a: Attrs) => Readonly<Record<string, OnnxAttr>>): LoweringEntry =>
  lower((ctx) => {
    ctx.w.emit(op, ctx.inputs, attrs?.(ctx.attrs), ctx.out);
  });
