/**
 * WebGPU lowerings of the norms: group_norm and layer_norm anchor the norm template (two-pass row
 * statistics, kernels/reduce.ts); batch_norm in inference form is per-channel affine, so it is an
 * expression that fuses anywhere.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { lit } from '../wgsl-util.ts';
import { expr, type LoweringTable, template } from '../lower-context.ts';

function emitBatchNorm(w: KernelWriter, node: Node, idx: readonly string[]): string {
  const [x, mean, variance, gamma, beta] = node.inputs.map((n, i) => w.value(n, i === 0 ? idx : [idx[1]]));
  const scale = w.let(`${gamma} * inverseSqrt(${variance} + ${lit(node.attrs.eps as number, 'f32')})`, 'bn');
  return `((${x} - ${mean}) * ${scale} + ${beta})`;
}

export const NORM_LOWERINGS: LoweringTable = {
  group_norm: template('norm'),
  layer_norm: template('norm'),
  batch_norm: expr(emitBatchNorm),
};
