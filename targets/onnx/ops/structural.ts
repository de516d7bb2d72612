/**
 * The structural ops, which the graph lowering (lower-graph.ts) handles itself: leaves become graph
 * inputs or initializers, loops are unrolled, fused kernels are inlined.
 */
import type { LoweringEntry } from '../lower-context.ts';

export const STRUCTURAL_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  param: { kind: 'structural', why: 'graph parameters become graph inputs of the same name' },
  weight: { kind: 'structural', why: 'weights become graph inputs named by path, or initializers when the weights are given' },
  constant: { kind: 'structural', why: 'constants become initializers, one per node even when an unrolled loop reads it every step' },
  loop: { kind: 'structural', why: 'unrolled: the body is lowered once per step with the step index as a constant' },
  tuple_get: { kind: 'structural', why: 'names one carried value of the unrolled loop' },
  kernel: { kind: 'structural', why: 'a fused kernel is inlined; onnxruntime fuses on its own' },
};
