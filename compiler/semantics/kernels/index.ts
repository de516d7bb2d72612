/**
 * The reference kernels of every op in one table keyed by op name, merged from the family tables
 * (one file per family, named as in compiler/core/ops). Merging fails on a name defined twice or on
 * a name that is not a registered op, so the table cannot drift from the op registry.
 */
import '../../core/ops/index.ts';
import { hasOp } from '../../core/ops/registry.ts';
import { ATTENTION_KERNELS } from './attention.ts';
import { BINARY_KERNELS } from './binary.ts';
import type { KernelTable, ReferenceKernel } from './common.ts';
import { CONV_KERNELS } from './conv.ts';
import { ELEMENTWISE_KERNELS } from './elementwise.ts';
import { EMBEDDING_KERNELS } from './embedding.ts';
import { LINALG_KERNELS } from './linalg.ts';
import { NORM_KERNELS } from './norm.ts';
import { RANDOM_KERNELS } from './random.ts';
import { REDUCE_KERNELS } from './reduce.ts';
import { SHAPE_KERNELS } from './shape.ts';

export type { KernelTable, ReferenceContext, ReferenceKernel } from './common.ts';

/** Merges family tables (keyed by family name, for messages) into one map keyed by op name. */
export function mergeKernelTables(families: Readonly<Record<string, KernelTable>>): ReadonlyMap<string, ReferenceKernel> {
  const merged = new Map<string, ReferenceKernel>();
  for (const [family, table] of Object.entries(families)) {
    for (const [op, kernel] of Object.entries(table)) {
      if (merged.has(op)) throw new Error(`reference kernel '${op}' is defined twice (again in ${family})`);
      if (!hasOp(op)) throw new Error(`reference kernel '${op}' (${family}) names no registered op`);
      merged.set(op, kernel);
    }
  }
  return merged;
}

export const REFERENCE_KERNELS = mergeKernelTables({
  attention: ATTENTION_KERNELS,
  binary: BINARY_KERNELS,
  conv: CONV_KERNELS,
  elementwise: ELEMENTWISE_KERNELS,
  embedding: EMBEDDING_KERNELS,
  linalg: LINALG_KERNELS,
  norm: NORM_KERNELS,
  random: RANDOM_KERNELS,
  reduce: REDUCE_KERNELS,
  shape: SHAPE_KERNELS,
});

/** The tfjs semantics of `op`; undefined for structural ops, which the executors interpret themselves. */
export function referenceKernel(op: string): ReferenceKernel | undefined {
  return REFERENCE_KERNELS.get(op);
}

export function hasReferenceKernel(op: string): boolean {
  return REFERENCE_KERNELS.has(op);
}
