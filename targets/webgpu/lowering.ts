/**
 * The WebGPU lowering table, keyed by op name. Every registered op is either
 *   - an expression (`expr`): computed per output element by the WGSL writer, so it can sit anywhere
 *     in a fused kernel (elementwise, broadcast, data movement, pooling, inference batch norm);
 *   - the anchor of a kernel template (`template`): matmul, conv2d, reductions, softmax, norms,
 *     attention — at most one per kernel, the fused expressions around it become its prologue/epilogue;
 *   - structural (`structural`): handled by the plan (leaves, loops, fused kernels);
 *   - or unsupported, with the reason.
 * test/webgpu/lowering.test.ts checks that every op in the registry has an entry here.
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { INDEX_EXPRS } from './kernels/expr-index.ts';
import { MATH_EXPRS, type ExprEmitter } from './kernels/expr-math.ts';

export type TemplateName = 'elementwise' | 'matmul' | 'conv2d' | 'reduce' | 'softmax' | 'norm' | 'attention';

export type Lowering =
  | { readonly kind: 'expr'; readonly emit: ExprEmitter }
  | { readonly kind: 'template'; readonly template: TemplateName }
  | { readonly kind: 'structural'; readonly why: string }
  | { readonly kind: 'unsupported'; readonly reason: string };

const expr = (emit: ExprEmitter): Lowering => ({ kind: 'expr', emit });
const template = (t: TemplateName): Lowering => ({ kind: 'template', template: t });

const TABLE: Record<string, Lowering> = {
  param: { kind: 'structural', why: 'a graph input: an input buffer written before the run' },
  weight: { kind: 'structural', why: 'uploaded once per session into its own buffer' },
  constant: { kind: 'structural', why: 'small ones are inlined into kernels, tables become buffers or per-step uniforms' },
  loop: { kind: 'structural', why: 'the plan records the body once per step with ping-pong carried buffers' },
  tuple_get: { kind: 'structural', why: 'aliases the carried buffer that holds the final value' },
  kernel: { kind: 'structural', why: 'a fused kernel: its region is generated as one WGSL shader' },
  matmul: template('matmul'),
  conv2d: template('conv2d'),
  sum: template('reduce'),
  mean: template('reduce'),
  reduce_max: template('reduce'),
  variance: template('reduce'),
  softmax: template('softmax'),
  group_norm: template('norm'),
  layer_norm: template('norm'),
  attention: template('attention'),
};
for (const [name, emit] of Object.entries({ ...MATH_EXPRS, ...INDEX_EXPRS })) TABLE[name] = expr(emit);

export const LOWERINGS: Readonly<Record<string, Lowering>> = Object.freeze(TABLE);

export function loweringOf(op: string, span?: Node['span']): Lowering {
  const l = LOWERINGS[op];
  if (!l) throw new DenocError({ code: 'WG0102', severity: 'error', message: `op '${op}' has no WebGPU lowering`, span });
  if (l.kind === 'unsupported') {
    throw new DenocError({ code: 'WG0103', severity: 'error', message: `op '${op}' is not supported on WebGPU: ${l.reason}`, span });
  }
  return l;
}

export function exprLoweringOf(node: Node): { emit: ExprEmitter } {
  const l = loweringOf(node.op, node.span);
  if (l.kind !== 'expr') throw new Error(`op '${node.op}' is a ${l.kind} lowering, not an expression (kernel grouping is wrong)`);
  return l;
}

/** The template a kernel region needs: that of its one non-expression op, else elementwise. */
export function templateOf(nodes: readonly Node[]): { template: TemplateName; anchor?: Node } {
  let found: { template: TemplateName; anchor?: Node } = { template: 'elementwise' };
  for (const n of nodes) {
    const l = loweringOf(n.op, n.span);
    if (l.kind !== 'template') continue;
    if (found.anchor) {
      throw new Error(`kernel holds two template ops (${found.anchor.op}, ${n.op}); fusion must keep one anchor per kernel`);
    }
    found = { template: l.template, anchor: n };
  }
  return found;
}
