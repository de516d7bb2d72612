/**
 * ONNX lowering of timestep_embedding: [cos(t·f_k)…, sin(t·f_k)…] with the frequencies
 * f_k = maxPeriod^(−k/half) from the op's own embeddingFrequencies (the reference's f32 values) as an initializer.
 */
import { embeddingFrequencies } from '../../../compiler/core/ops/embedding.ts';
import { i64, lower, type LoweringEntry } from '../lower-context.ts';

export const EMBEDDING_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  timestep_embedding: lower((ctx) => {
    const { w } = ctx;
    const f = embeddingFrequencies(ctx.attrs.dim as number, ctx.attrs.maxPeriod as number);
    const freqs = w.constant('f32', [...f], [1, f.length]);
    const args = w.emit('Mul', [w.emit('Reshape', [ctx.inputs[0], i64(ctx, [-1, 1])]), freqs]);
    w.emit('Concat', [w.emit('Cos', [args]), w.emit('Sin', [args])], { axis: { i: 1 } }, ctx.out);
  }),
};
