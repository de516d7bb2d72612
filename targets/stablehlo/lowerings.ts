/**
 * The StableHLO lowering table, keyed by op name. Every registered op must appear here: with a
 * lowering, as structural (handled by the emitter itself), or as unsupported with a reason — a test
 * fails when an op is added to the registry without an entry.
 */
import type { LoweringEntry } from './lower-context.ts';
import { ELEMENTWISE_LOWERINGS } from './lower-elementwise.ts';
import { LINALG_LOWERINGS } from './lower-linalg.ts';
import { NORM_LOWERINGS } from './lower-norm.ts';
import { REDUCE_LOWERINGS } from './lower-reduce.ts';
import { SHAPE_LOWERINGS } from './lower-shape.ts';
import { RANDOM_LOWERINGS } from './philox.ts';

const STRUCTURAL: Readonly<Record<string, LoweringEntry>> = {
  param: { kind: 'structural', why: 'graph parameters become arguments of @main' },
  weight: { kind: 'structural', why: 'weights become arguments of @main, described by the manifest' },
  constant: { kind: 'structural', why: 'emitted as stablehlo.constant in the region that uses it' },
  loop: { kind: 'structural', why: 'emitted as stablehlo.while (or straight-line steps with unroll)' },
  tuple_get: { kind: 'structural', why: 'selects one result of the while op' },
  kernel: { kind: 'structural', why: 'a fused kernel is emitted inline; XLA fuses on its own' },
};

export const LOWERINGS: ReadonlyMap<string, LoweringEntry> = new Map(Object.entries({
  ...STRUCTURAL,
  ...ELEMENTWISE_LOWERINGS,
  ...SHAPE_LOWERINGS,
  ...REDUCE_LOWERINGS,
  ...LINALG_LOWERINGS,
  ...NORM_LOWERINGS,
  ...RANDOM_LOWERINGS,
}));

export function loweringOf(op: string): LoweringEntry | undefined {
  return LOWERINGS.get(op);
}
