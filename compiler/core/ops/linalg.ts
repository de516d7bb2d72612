/**
 * matmul: a [..., M, K] @ b [..., K, N] → [...bcast batch, M, N], with optional transposes of the
 * last two axes of either operand. Batch dims broadcast numpy-style. Fusion kind `out-fusable`
 * (bias adds and activations can ride in its epilogue). FLOPs: 2·M·N·K per batch element.
 */
import { tensorOf, type Attrs, type Node } from '../ir/node.ts';
import { formatShape, tensorType, type Dim, type TensorType } from '../ir/types.ts';
import { broadcastAll, countElems, ioBytes, requireFloat, requireSameDtype } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

interface MatmulDims {
  batch: Dim[];
  m: Dim;
  k: Dim;
  n: Dim;
}

function matmulDims([a, b]: readonly TensorType[], attrs: Attrs): MatmulDims {
  shapeCheck(
    a.shape.length >= 2 && b.shape.length >= 2,
    () => `operands need rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)} (reshape vectors to [1, K] or [K, 1])`,
  );
  const ra = a.shape.length,
    rb = b.shape.length;
  const [m, ka] = attrs.transposeA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [kb, n] = attrs.transposeB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  shapeCheck(
    ka === kb,
    () =>
      `contraction dims differ: a ${formatShape(a.shape)} has K=${ka} but b ${formatShape(b.shape)} has K=${kb}` +
      ` (transposeA=${String(attrs.transposeA)}, transposeB=${String(attrs.transposeB)})`,
  );
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
  vjp: matmulVjp,
});

/**
 * With y = op(a)·op(b): d op(a) = dy·op(b)ᵀ and d op(b) = op(a)ᵀ·dy, written as matmuls with transpose
 * flags so no transpose is materialized; batch dims that broadcast are summed back.
 */
function matmulVjp(g: VjpBuilder, node: Node, dy: Node): Node[] {
  const [a, b] = node.inputs;
  const tA = node.attrs.transposeA === true,
    tB = node.attrs.transposeB === true;
  const da = tA ? g.op('matmul', [b, dy], { transposeA: tB, transposeB: true }) : g.op('matmul', [dy, b], { transposeB: !tB });
  const db = tB ? g.op('matmul', [dy, a], { transposeA: true, transposeB: tA }) : g.op('matmul', [a, dy], { transposeA: !tA });
  return [g.unbroadcast(da, tensorOf(a).shape), g.unbroadcast(db, tensorOf(b).shape)];
}
