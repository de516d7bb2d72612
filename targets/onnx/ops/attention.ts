/**
 * ONNX lowering of attention as softmax(q·kᵀ·scale)·v in plain ops (MatMul, Mul, Softmax, MatMul);
 * batch dims broadcast in MatMul as in the IR. Scale 0 means 1/√D.
 */
import { f32, lower, swapLast, type LoweringEntry } from '../lower-context.ts';

export const ATTENTION_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  attention: lower((ctx) => {
    const { w } = ctx;
    const [q, k, v] = ctx.inputs;
    const d = ctx.inputShape(0)[ctx.inputShape(0).length - 1];
    const scale = Number(ctx.attrs.scale ?? 0) || 1 / Math.sqrt(d);
    const scores = w.emit('Mul', [w.emit('MatMul', [q, swapLast(ctx, k, ctx.inputShape(1).length)]), f32(ctx, scale)]);
    w.emit('MatMul', [w.emit('Softmax', [scores], { axis: { i: -1 } }), v], {}, ctx.out);
  }),
};
