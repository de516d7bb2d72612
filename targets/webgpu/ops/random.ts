/**
 * WGSL expression for randn: element e of the output is `randn_at` (philox.ts) of its flat
 * row-major number, so every element draws its own counter and one seed gives the same noise as the
 * reference executor, whatever kernel the op is fused into.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { staticShape } from '../wgsl-util.ts';
import { expr, type LoweringTable } from '../lower-context.ts';
import { PHILOX_WGSL } from '../philox.ts';

function emitRandn(w: KernelWriter, node: Node, idx: readonly string[]): string {
  w.helper('philox', PHILOX_WGSL);
  const seed = w.value(node.inputs[0], []);
  const offset = node.inputs[1] ? `bitcast<u32>(${w.value(node.inputs[1], [])})` : '0u';
  const e = w.let(w.offset(staticShape(node), idx), 'f');
  return `randn_at(bitcast<u32>(${seed}), ${(node.attrs.stream as number) >>> 0}u, ${offset}, ${e})`;
}

export const RANDOM_LOWERINGS: LoweringTable = {
  randn: expr(emitRandn),
};
