/**
 * What a lowering sees and returns. A lowering turns one IR node into StableHLO ops through the
 * writer; it reads attributes and the already-lowered input values, never other nodes. Helpers here
 * are the idioms every family needs (numpy broadcasting, axis normalisation, MXU operands).
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { Attrs, Node } from '../../compiler/core/ir/node.ts';
import type { ModuleWriter } from './module.ts';
import type { ResolvedOptions } from './options.ts';
import { formatTType, type TType } from './types.ts';
import type { FnWriter, Precision, Value } from './writer.ts';

export interface LowerCtx {
  readonly w: FnWriter;
  readonly module: ModuleWriter;
  readonly node: Node;
  readonly attrs: Attrs;
  readonly inputs: readonly Value[];
  /** The node's result type with dims bound. */
  readonly out: TType;
  readonly opts: ResolvedOptions;
  /** The value of input `i` when it is a scalar integer known at compile time (an unrolled step index). */
  knownInt(i: number): number | undefined;
  /** A dot/conv operand: bf16 under precision 'bf16' (one convert per value and region), else unchanged. */
  mxu(v: Value): Value;
}

export type Lowering = (ctx: LowerCtx) => Value;

export type LoweringEntry =
  /** `mxuInputs`: inputs read by the matrix unit, so weights there may be passed as bf16 arguments. */
  | { readonly kind: 'lower'; readonly lower: Lowering; readonly mxuInputs?: readonly number[] }
  | { readonly kind: 'structural'; readonly why: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

export const lower = (fn: Lowering, mxuInputs?: readonly number[]): LoweringEntry => ({ kind: 'lower', lower: fn, mxuInputs });

/** A lowering-time failure that names the node. */
export function lowerFail(ctx: LowerCtx, message: string): never {
  return fail('HLO0101', `${ctx.node.op}: ${message}`, ctx.node.span);
}

/**
 * Precision config of dot/conv results, which always accumulate in f32. Under 'f32' every dot/conv
 * asks for HIGHEST (on a TPU, DEFAULT would silently run one bf16 pass); under 'bf16' operands are
 * converted to bf16 (`mxu`) and the result type stays f32, which is how StableHLO spells bf16
 * multiplies with f32 accumulation (`preferred_element_type = f32` in JAX).
 */
export function mxuPrecision(ctx: LowerCtx): Precision {
  return ctx.opts.precision === 'bf16' ? 'DEFAULT' : 'HIGHEST';
}

export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Numpy broadcasting of `x` to `shape` (trailing alignment; size-1 dims stretch). */
export function broadcastTo(w: FnWriter, x: Value, shape: readonly number[]): Value {
  const r = x.type.shape.length;
  const offset = shape.length - r;
  const same = offset === 0 && x.type.shape.every((d, i) => d === shape[i]);
  if (same) return x;
  const ok = offset >= 0 && x.type.shape.every((d, i) => d === 1 || d === shape[i + offset]);
  if (!ok) throw new Error(`cannot broadcast ${formatTType(x.type)} to [${shape.join(', ')}]`);
  return w.broadcastInDim(
    x,
    x.type.shape.map((_, i) => i + offset),
    shape,
  );
}

/** Broadcasts a per-channel vector [C] along axis 1 of an NC... shape. */
export function channelBroadcast(w: FnWriter, v: Value, shape: readonly number[]): Value {
  return w.broadcastInDim(v, [1], shape);
}

/** Scalar constant broadcast to a full shape (one splat constant op). */
export function full(w: FnWriter, value: number, like: TType): Value {
  return w.splat(value, like.elem, like.shape);
}

/** Reduces `dims` and, with keepdims, reshapes back to rank. `body` picks sum or max. */
export function reduceDims(w: FnWriter, x: Value, dims: readonly number[], body: 'add' | 'maximum', keepdims: boolean): Value {
  const lowest = x.type.elem === 'i32' ? -2147483648 : -Infinity;
  const init = w.splat(body === 'add' ? 0 : lowest, x.type.elem);
  const sorted = [...new Set(dims)].sort((a, b) => a - b);
  const r = w.reduce(x, init, body, sorted);
  if (!keepdims) return r;
  return w.reshape(
    r,
    x.type.shape.map((d, i) => (sorted.includes(i) ? 1 : d)),
  );
}

/** Mean over `dims`, keeping them as size 1 (ready to broadcast back). */
export function meanKeep(w: FnWriter, x: Value, dims: readonly number[]): Value {
  const s = reduceDims(w, x, dims, 'add', true);
  const n = dims.reduce((p, d) => p * x.type.shape[d], 1);
  return w.binary('divide', s, full(w, n, s.type));
}

/** (x - mean) / sqrt(var + eps) over `dims` (population variance), as group/layer norm do. */
export function normalize(w: FnWriter, x: Value, dims: readonly number[], eps: number): Value {
  const mean = broadcastTo(w, meanKeep(w, x, dims), x.type.shape);
  const centered = w.binary('subtract', x, mean);
  const variance = meanKeep(w, w.binary('multiply', centered, centered), dims);
  const inv = w.unary('rsqrt', w.binary('add', variance, full(w, eps, variance.type)));
  return w.binary('multiply', centered, broadcastTo(w, inv, x.type.shape));
}
