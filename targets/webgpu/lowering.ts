/**
 * The WebGPU lowering table, keyed by op name. Every registered op is either
 *   - an expression (`expr`): computed per output element by the WGSL writer, so it can sit anywhere
 *     in a fused kernel (elementwise, broadcast, data movement, pooling, inference batch norm);
 *   - the anchor of a kernel template (`template`): matmul, conv2d, reductions, softmax, norms,
 *     attention — at most one per kernel, the fused expressions around it become its prologue/epilogue;
 *   - structural (`structural`): handled by the plan (leaves, loops, fused kernels);
 *   - or unsupported, with the reason.
 * The entries come from the per-family tables in ops/, each file named after the compiler/core/ops
 * family that declares its ops; test/webgpu/lowering.test.ts checks that every op in the registry
 * has an entry here.
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { mergeOpTables } from '../../compiler/core/ops/op-tables.ts';
import type { ExprEmitter, Lowering, TemplateName } from './lower-context.ts';
import { ATTENTION_LOWERINGS } from './ops/attention.ts';
import { BINARY_LOWERINGS } from './ops/binary.ts';
import { CONV_LOWERINGS } from './ops/conv.ts';
import { ELEMENTWISE_LOWERINGS } from './ops/elementwise.ts';
import { EMBEDDING_LOWERINGS } from './ops/embedding.ts';
import { LINALG_LOWERINGS } from './ops/linalg.ts';
import { NORM_LOWERINGS } from './ops/norm.ts';
import { RANDOM_LOWERINGS } from './ops/random.ts';
import { REDUCE_LOWERINGS } from './ops/reduce.ts';
import { SHAPE_LOWERINGS } from './ops/shape.ts';
import { STRUCTURAL_LOWERINGS } from './ops/structural.ts';

export type { Lowering, TemplateName } from './lower-context.ts';

export const LOWERINGS: ReadonlyMap<string, Lowering> = mergeOpTables<Lowering>(
  {
    attention: ATTENTION_LOWERINGS,
    binary: BINARY_LOWERINGS,
    conv: CONV_LOWERINGS,
    elementwise: ELEMENTWISE_LOWERINGS,
    embedding: EMBEDDING_LOWERINGS,
    linalg: LINALG_LOWERINGS,
    norm: NORM_LOWERINGS,
    random: RANDOM_LOWERINGS,
    reduce: REDUCE_LOWERINGS,
    shape: SHAPE_LOWERINGS,
    structural: STRUCTURAL_LOWERINGS,
  },
  'WebGPU lowering',
);

export function loweringOf(op: string, span?: Node['span']): Lowering {
  const l = LOWERINGS.get(op);
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
