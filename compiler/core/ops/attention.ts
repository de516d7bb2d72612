/**
 * attention: softmax(q·kᵀ·scale)·v over [..., L, D] operands (scaled dot-product attention,
 * Vaswani et al. 2017). Heads are batch dims; batch dims broadcast. scale = 0 means 1/√D.
 * Fusion kind `opaque`: targets emit it as one kernel (or a flash-style tiling), never split it.
 * FLOPs per batch element: 2·Lq·Lk·D (scores) + 2·Lq·Lk·Dv (weighted sum) + 5·Lq·Lk (softmax);
 * bytes count q, k, v and the output only, since a fused kernel never stores the scores.
 */
import { tensorOf } from '../ir/node.ts';
import { formatShape, tensorType, type Dim, type TensorType } from '../ir/types.ts';
import { broadcastAll, countElems, ioBytes, requireFloat, requireSameDtype, staticDim } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

interface AttentionDims {
  batch: Dim[];
  lq: Dim;
  lk: Dim;
  d: Dim;
  dv: Dim;
}

function attentionDims([q, k, v]: readonly TensorType[]): AttentionDims {
  for (const [t, name] of [
    [q, 'q [..., Lq, D]'],
    [k, 'k [..., Lk, D]'],
    [v, 'v [..., Lk, Dv]'],
  ] as const) {
    shapeCheck(t.shape.length >= 2, () => `${name} needs rank >= 2, got ${formatShape(t.shape)}`);
  }
  const last = (t: TensorType, i: number): Dim => t.shape[t.shape.length - i];
  shapeCheck(last(q, 1) === last(k, 1), () => `q ${formatShape(q.shape)} has D=${last(q, 1)} but k ${formatShape(k.shape)} has D=${last(k, 1)}`);
  shapeCheck(last(k, 2) === last(v, 2), () => `k ${formatShape(k.shape)} has Lk=${last(k, 2)} but v ${formatShape(v.shape)} has Lk=${last(v, 2)}`);
  const batch = broadcastAll([q.shape.slice(0, -2), k.shape.slice(0, -2), v.shape.slice(0, -2)]);
  return { batch, lq: last(q, 2), lk: last(k, 2), d: last(q, 1), dv: last(v, 1) };
}

defineOp({
  name: 'attention',
  summary: 'softmax(q·kᵀ·scale)·v; scale 0 means 1/sqrt(D)',
  attrs: { scale: { kind: 'float', default: 0, help: '0 means 1/sqrt(D)' } },
  arity: 3,
  fusion: 'opaque',
  inferType: (inputs) => {
    const [q, k, v] = inputs;
    requireFloat(q, 'q');
    requireSameDtype(q, k, 'q and k');
    requireSameDtype(q, v, 'q and v');
    const { batch, lq, dv } = attentionDims(inputs);
    return tensorType(q.dtype, [...batch, lq, dv]);
  },
  cost: (inputs, out) => {
    const { batch, lq, lk, d, dv } = attentionDims(inputs);
    const pairs = countElems([...batch, lq, lk]);
    const dd = countElems([d]),
      ddv = countElems([dv]);
    return { flops: 2 * pairs * (dd + ddv) + 5 * pairs, bytes: ioBytes(inputs, out) };
  },
  // differentiated through its definition: softmax(q·kᵀ·scale)·v
  vjp: (g, node, dy) =>
    g.through(
      (q, k, v) => {
        const scale = (node.attrs.scale as number) || 1 / Math.sqrt(staticDim(attentionDims([tensorOf(q), tensorOf(k), tensorOf(v)]).d, 'D'));
        const scores = g.op('mul', [g.op('matmul', [q, k], { transposeB: true }), g.scalar(scale)]);
        return g.op('matmul', [g.op('softmax', [scores], { axis: -1 }), v]);
      },
      node.inputs,
      dy,
    ),
});
