/**
 * The reference kernels of every op in one table keyed by op name, merged from the family tables
 * (one file per family, named as in compiler/core/ops). Merging fails on a name defined twice or on
 * a name that is not a registered op, so the table cannot drift from the op registry.
 */
import { mergeOpTables } from '../../core/ops/op-tables.ts';
import { ATTENTION_KERNELS } from './attention.ts';
import { BINARY_KERNELS } from './binary.ts';
import type { ReferenceKernel } from './common.ts';
import { CONV_KERNELS } from './conv.ts';
import { ELEMENTWISE_KERNELS } from './elementwise.ts';
import { EMBEDDING_KERNELS } from './embedding.ts';
import { LINALG_KERNELS } from './linalg.ts';
import { NORM_KERNELS } from './norm.ts';
import { RANDOM_KERNELS } from './random.ts';
import { REDUCE_KERNELS } from './reduce.ts';
import { SHAPE_KERNELS } from './shape.ts';

export type { KernelTable, ReferenceContext, ReferenceKernel } from './common.ts';

export const REFERENCE_KERNELS: ReadonlyMap<string, ReferenceKernel> = mergeOpTables<ReferenceKernel>(
  {
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
  },
  'reference kernel',
);

/** The tfjs semantics of `op`; undefined for structural ops, which the executors interpret themselves. */
export function referenceKernel(op: string): ReferenceKernel | undefined {
  return REFERENCE_KERNELS.get(op);
}

export function hasReferenceKernel(op: string): boolean {
  return REFERENCE_KERNELS.has(op);
}
