/**
 * timestep_embedding: the sinusoidal embedding of diffusion timesteps (Ho et al. 2020, after the
 * Transformer's positional encoding): t [B] → [B, dim] = [cos(t·f_0) … cos(t·f_{h−1}), sin(t·f_0) … sin(t·f_{h−1})]
 * with h = dim/2 and f_k = maxPeriod^(−k/h). Fusion kind `elementwise` (each output reads one t).
 * FLOPs: B·h multiplies plus B·dim sin/cos.
 */
import { tensorOf, type Attrs } from '../ir/node.ts';
import { formatShape, tensorType } from '../ir/types.ts';
import { attrInt, countElems, ioBytes, requireFloat } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

/** f_k = maxPeriod^(−k/h), k = 0 … h−1, rounded once to f32. */
export function embeddingFrequencies(dim: number, maxPeriod: number): Float32Array {
  const half = dim / 2;
  return Float32Array.from({ length: half }, (_, k) => Math.pow(maxPeriod, -k / half));
}

const maxPeriod = (a: Attrs): number => a.maxPeriod as number;

defineOp({
  name: 'timestep_embedding',
  summary: 'sinusoidal embedding [cos(t·f_k)..., sin(t·f_k)...], f_k = maxPeriod^(-k/(dim/2))',
  attrs: { dim: { kind: 'int', help: 'even' }, maxPeriod: { kind: 'float', default: 10000 } },
  arity: 1,
  fusion: 'elementwise',
  inferType: ([t], a) => {
    shapeCheck(t.shape.length === 1, () => `t must be [B] (rank 1), got ${formatShape(t.shape)}`);
    requireFloat(t, 't');
    const dim = attrInt(a, 'dim');
    shapeCheck(dim >= 2 && dim % 2 === 0, () => `dim must be even and >= 2, got ${dim}`);
    shapeCheck(maxPeriod(a) > 0, () => `maxPeriod must be > 0, got ${maxPeriod(a)}`);
    return tensorType(t.dtype, [t.shape[0], dim]);
  },
  cost: (inputs, out) => ({ flops: countElems(out.shape) * 1.5, bytes: ioBytes(inputs, out) }),
  // differentiated through its definition: [cos(t·f), sin(t·f)] with f the frequency table
  vjp: (g, node, dy) =>
    g.through(
      (t) => {
        const freqs = embeddingFrequencies(attrInt(node.attrs, 'dim'), maxPeriod(node.attrs));
        const [b] = tensorOf(t).shape;
        const args = g.op('mul', [g.op('reshape', [t], { shape: [b, 1] }), g.op('reshape', [g.floats(freqs)], { shape: [1, freqs.length] })]);
        return g.op('concat', [g.op('cos', [args]), g.op('sin', [args])], { axis: 1 });
      },
      node.inputs,
      dy,
    ),
});
