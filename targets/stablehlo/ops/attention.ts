/**
 * Lowering of attention: softmax(q·kᵀ·scale)·v as two `stablehlo.dot_general`s with batch/head
 * dims as batch dims, the softmax in between subtracting the row max first.
 */
import { broadcastTo, full, lower, mxuPrecision, reduceDims, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import type { Value } from '../writer.ts';

/** softmax(q·kᵀ·scale)·v with heads as dot_general batch dims. */
function attention(ctx: LowerCtx): Value {
  const { w, inputs, out, attrs } = ctx;
  const nb = out.shape.length - 2;
  const batch = out.shape.slice(0, nb);
  const [q, k, v] = inputs.map((t) => broadcastTo(w, t, [...batch, ...t.type.shape.slice(-2)]));
  const dims = [...Array(nb).keys()];
  const d = q.type.shape[nb + 1];
  const scale = (attrs.scale as number) === 0 ? 1 / Math.sqrt(d) : (attrs.scale as number);
  const raw = w.dotGeneral(
    ctx.mxu(q),
    ctx.mxu(k),
    { lhsBatch: dims, rhsBatch: dims, lhsContract: [nb + 1], rhsContract: [nb + 1] },
    'f32',
    mxuPrecision(ctx),
  );
  const scores = w.binary('multiply', raw, full(w, scale, raw.type));
  const max = broadcastTo(w, reduceDims(w, scores, [nb + 1], 'maximum', true), scores.type.shape);
  const e = w.unary('exponential', w.binary('subtract', scores, max));
  const p = w.binary('divide', e, broadcastTo(w, reduceDims(w, e, [nb + 1], 'add', true), e.type.shape));
  const r = w.dotGeneral(
    ctx.mxu(p),
    ctx.mxu(v),
    { lhsBatch: dims, rhsBatch: dims, lhsContract: [nb + 1], rhsContract: [nb] },
    'f32',
    mxuPrecision(ctx),
  );
  return w.convert(r, out.elem);
}

export const ATTENTION_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  attention: lower(attention, [0, 1, 2]),
};
