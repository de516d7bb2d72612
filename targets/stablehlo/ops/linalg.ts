/**
 * Lowering of matmul onto `stablehlo.dot_general` (precision: `mxuPrecision` in lower-context.ts).
 * A rank-2 right operand (a weight) is contracted against every leading dim of the left operand;
 * other operands are broadcast to the result's batch dims first. Under `tile: 'tpu'`, M, K and N are
 * padded to the TPU's (8, 128) tiles and the result cropped back.
 */
import { broadcastTo, lower, mxuPrecision, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { cropTo, LANES, padAxis, SUBLANES, tiledExtent } from '../tile.ts';
import type { Value } from '../writer.ts';

interface MatmulOperands {
  a: Value;
  b: Value;
  /** Axes of a and b holding M, K (in a) and K, N (in b). */
  aM: number;
  aK: number;
  bK: number;
  bN: number;
  batch: number[];
}

/**
 * Arranges matmul operands for dot_general. A rank-2 right operand (a weight [K, N]) is contracted
 * directly against every leading dim of `a`, so weights are never broadcast over the batch.
 */
function matmulOperands(ctx: LowerCtx): MatmulOperands {
  const { w, inputs, out, attrs } = ctx;
  const ta = attrs.transposeA as boolean,
    tb = attrs.transposeB as boolean;
  let [a, b] = inputs;
  const rank = out.shape.length;
  if (b.type.shape.length === 2 && !ta) {
    const ra = a.type.shape.length;
    return { a, b, aM: ra - 2, aK: ra - 1, bK: tb ? 1 : 0, bN: tb ? 0 : 1, batch: [] };
  }
  const batchShape = out.shape.slice(0, rank - 2);
  a = broadcastTo(w, a, [...batchShape, ...a.type.shape.slice(-2)]);
  b = broadcastTo(w, b, [...batchShape, ...b.type.shape.slice(-2)]);
  const nb = batchShape.length;
  return {
    a,
    b,
    aM: ta ? nb + 1 : nb,
    aK: ta ? nb : nb + 1,
    bK: tb ? nb + 1 : nb,
    bN: tb ? nb : nb + 1,
    batch: [...Array(nb).keys()],
  };
}

function matmul(ctx: LowerCtx): Value {
  const { w, out } = ctx;
  const ops = matmulOperands(ctx);
  const { aM, aK, bK, bN, batch } = ops;
  let { a, b } = ops;
  if (ctx.opts.tile === 'tpu') {
    const k = tiledExtent(a.type.shape[aK], LANES);
    a = padAxis(w, padAxis(w, a, aK, k), aM, tiledExtent(a.type.shape[aM], SUBLANES));
    b = padAxis(w, padAxis(w, b, bK, k), bN, tiledExtent(b.type.shape[bN], LANES));
  }
  const r = w.dotGeneral(
    ctx.mxu(a),
    ctx.mxu(b),
    { lhsBatch: batch, rhsBatch: batch, lhsContract: [aK], rhsContract: [bK] },
    'f32',
    mxuPrecision(ctx),
  );
  return w.convert(cropTo(w, r, out.shape), out.elem);
}

export const LINALG_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  matmul: lower(matmul, [0, 1]),
};
