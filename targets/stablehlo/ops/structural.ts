/**
 * The structural ops, which the emitter handles itself: leaves become arguments or constants, loops
 * become `stablehlo.while`, fused kernels are inlined. Each entry says where that happens.
 */
import type { LoweringEntry } from '../lower-context.ts';

export const STRUCTURAL_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  param: { kind: 'structural', why: 'graph parameters become arguments of @main' },
  weight: { kind: 'structural', why: 'weights become arguments of @main, described by the manifest' },
  constant: { kind: 'structural', why: 'emitted as stablehlo.constant in the region that uses it' },
  loop: { kind: 'structural', why: 'emitted as stablehlo.while (or straight-line steps with unroll)' },
  tuple_get: { kind: 'structural', why: 'selects one result of the while op' },
  kernel: { kind: 'structural', why: 'a fused kernel is emitted inline; XLA fuses on its own' },
};
