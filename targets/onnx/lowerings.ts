/**
 * The ONNX lowering table, keyed by op name, merged from the per-family tables in ops/ (each file
 * named after the compiler/core/ops family that declares its ops). Every registered op appears: with
 * a lowering, as structural (handled by lower-graph.ts), or as unsupported with a reason; a test
 * fails when an op is added to the registry without an entry, and a duplicate throws here.
 */
import type { LoweringEntry } from './lower-context.ts';
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

const FAMILY_TABLES: readonly Readonly<Record<string, LoweringEntry>>[] = [
  ATTENTION_LOWERINGS, BINARY_LOWERINGS, CONV_LOWERINGS, ELEMENTWISE_LOWERINGS, EMBEDDING_LOWERINGS, LINALG_LOWERINGS,
  NORM_LOWERINGS, RANDOM_LOWERINGS, REDUCE_LOWERINGS, SHAPE_LOWERINGS, STRUCTURAL_LOWERINGS,
];

function merge(tables: readonly Readonly<Record<string, LoweringEntry>>[]): Map<string, LoweringEntry> {
  const merged = new Map<string, LoweringEntry>();
  for (const table of tables) {
    for (const [op, entry] of Object.entries(table)) {
      if (merged.has(op)) throw new Error(`op '${op}' has two ONNX lowerings`);
      merged.set(op, entry);
    }
  }
  return merged;
}

export const LOWERINGS: ReadonlyMap<string, LoweringEntry> = merge(FAMILY_TABLES);
