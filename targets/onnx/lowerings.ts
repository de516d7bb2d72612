/**
 * The ONNX lowering table, keyed by op name, merged from the per-family tables in ops/ (each file
 * named after the compiler/core/ops family that declares its ops). Every registered op appears: with
 * a lowering, as structural (handled by lower-graph.ts), or as unsupported with a reason; a test
 * fails when an op is added to the registry without an entry, and a duplicate throws here.
 */
import { mergeOpTables } from '../../compiler/core/ops/op-tables.ts';
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

export const LOWERINGS: ReadonlyMap<string, LoweringEntry> = mergeOpTables<LoweringEntry>(
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
  'ONNX lowering',
);
