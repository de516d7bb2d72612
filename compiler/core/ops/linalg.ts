/**
 * matmul: a [..., M, K] @ b [..., K, N] → [...bcast batch, M, N], with optional transposes of the
 * last two axes of either operand. Batch dims broadcast numpy-style. Fusion kind `out-fusable`
 * (bias adds and activations can ride in its epilogue). FLOPs: 2·M·N·K per batch element.
 */
import type { Attrs } from '../ir/node.ts';
import { formatShape, tensorType, type Dim, type TensorType } from '../ir/types.ts';
import { broadcastAll, countElems, ioBytes, requireFloat, requireSameDtype } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

interface MatmulDims { batch: Dim[]; m: Dim; k: Dim; n: Dim }

function matmulDims([a, b]: readonly TensorType[], attrs: Attrs): MatmulDims {
  shapeCheck(a.shape.length >= 2 && b.shape.length >= 2,
    () => `operands need rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)} (reshape vectors to [1, K] or [K, 1])`);
  const ra = a.shape.length, rb = b.shape.length;
  const [m, ka] = attrs.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [kb, n] = attrs.transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  shapeCheck(ka === kb,
    () => `contraction dims differ: a ${formatShape(a.shape)} has K=${ka} but b ${formatShape(b.shape)} has K=${kb}` +
      ` (transposeA=${String(attrs.transposeA)}, transposeB=${String(attrs.transposeB)})`);
  const batch = broadcastAll([a.shape.slice(0, -2), b.shape.slice(0, -2)]);
  return { batch, m, k: ka, n };
}

defineOp({
  name: 'matmul',
  summary: 'batched matrix product with broadcasting batch dims',
  attrs: { transposeA: { kind: 'bool', default: false }, transposeB: { kind: 'bool', default: false } },
  arity: 2,
  fusion: 'out-fusable',
  inferType: (inputs, attrs) => {
    requireSameDtype(inputs[0], inputs[1], 'operands');
    requireFloat(inputs[0], 'operands');
    const { batch, m, n } = matmulDims(inputs, attrs);
    return tensorType(inputs[0].dtype, [...batch, m, n]);
  },
  cost: (inputs, out, attrs) => {
    const { batch, m, k, n } = matmulDims(inputs, attrs);
    return { flops: 2 * countElems([...batch, m, n, k]), bytes: ioBytes(inputs, out) };
  },
});
