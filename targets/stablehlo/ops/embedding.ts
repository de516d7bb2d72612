/**
 * Lowering of timestep_embedding: [cos(t·f_k)…, sin(t·f_k)…], the frequencies f_k computed at
 * compile time by the core op's own formula and baked in as a constant.
 */
import { embeddingFrequencies } from '../../../compiler/core/ops/embedding.ts';
import { lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { ttype } from '../types.ts';
import type { Value } from '../writer.ts';

/** [cos(t·f_k)…, sin(t·f_k)…] with the frequency table baked in as a constant. */
function timestepEmbedding({ w, inputs, attrs }: LowerCtx): Value {
  const t = inputs[0];
  const freqs = embeddingFrequencies(attrs.dim as number, attrs.maxPeriod as number);
  const shape = [t.type.shape[0], freqs.length];
  const table = w.constant(freqs, ttype(t.type.elem, [freqs.length]));
  const args = w.binary('multiply', w.broadcastInDim(t, [0], shape), w.broadcastInDim(table, [1], shape));
  return w.concatenate([w.unary('cosine', args), w.unary('sine', args)], 1);
}

export const EMBEDDING_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  timestep_embedding: lower(timestepEmbedding),
};
