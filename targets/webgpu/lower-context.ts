/**
 * What a WebGPU lowering entry is, and the helpers the per-family tables in ops/ share: reading an
 * input under numpy broadcasting, the WGSL value type of a node, and the range-reduced sin/cos that
 * both the trig ops and timestep_embedding call.
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import type { KernelWriter } from './wgsl.ts';
import { staticShape, valueType } from './wgsl-util.ts';

/** Returns the value of `node` at output index `idx`, reading inputs through the writer so fused producers are computed in place. */
export type ExprEmitter = (w: KernelWriter, node: Node, idx: readonly string[]) => string;

export type TemplateName = 'elementwise' | 'matmul' | 'conv2d' | 'reduce' | 'softmax' | 'norm' | 'attention';

export type Lowering =
  | { readonly kind: 'expr'; readonly emit: ExprEmitter }
  | { readonly kind: 'template'; readonly template: TemplateName }
  | { readonly kind: 'structural'; readonly why: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

export type LoweringTable = Readonly<Record<string, Lowering>>;

export const expr = (emit: ExprEmitter): Lowering => ({ kind: 'expr', emit });
export const template = (t: TemplateName): Lowering => ({ kind: 'template', template: t });

/**
 * The index into `input` that numpy broadcasting reads for output index `idx` of shape `out`.
 * A stretched axis reads 0; an axis of size 1 on both sides keeps the output's index expression
 * (also 0), so a value read at the kernel's own index is recognized as the same element.
 */
export function broadcastIndex(input: Node, out: readonly number[], idx: readonly string[]): string[] {
  const shape = staticShape(input);
  const lead = out.length - shape.length;
  return shape.map((d, i) => (d === 1 && out[lead + i] !== 1 ? '0u' : idx[lead + i]));
}

/** Value of input `k` of `node`, broadcast to `node`'s shape. */
export function inputAt(w: KernelWriter, node: Node, k: number, idx: readonly string[]): string {
  return w.value(node.inputs[k], broadcastIndex(node.inputs[k], staticShape(node), idx));
}

export const typeOf = (n: Node): 'f32' | 'i32' | 'u32' | 'bool' => valueType(tensorOf(n).dtype);

/** An integer-list attribute as a mutable copy. */
export const ints = (n: Node, key: string): number[] => [...(n.attrs[key] as readonly number[])];

// WGSL only promises ~2^-11 absolute error for sin/cos inside [-π, π] and nothing outside, so the
// argument is reduced first: Cody–Waite by 2π with a two-part constant (6.28125 has few bits, so k·C1 is exact).
export const TRIG_WGSL = `
fn reduce_2pi(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535f);
  return (x - k * 6.28125f) - k * 0.0019353071795864769f;
}
fn sin_s(x: f32) -> f32 { return sin(reduce_2pi(x)); }
fn cos_s(x: f32) -> f32 { return cos(reduce_2pi(x)); }`;
