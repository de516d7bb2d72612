/**
 * ONNX lowering of matmul: MatMul broadcasts batch dims like numpy (as the IR does); a transposed
 * operand gets an explicit Transpose of its last two axes, which onnxruntime folds into its GEMM
 * where it can.
 */
import { lower, swapLast, type LoweringEntry } from '../lower-context.ts';

export const LINALG_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  matmul: lower((ctx) => {
    const [a, b] = ctx.inputs;
    const ta = ctx.attrs.transposeA ? swapLast(ctx, a, ctx.inputShape(0).length) : a;
    const tb = ctx.attrs.transposeB ? swapLast(ctx, b, ctx.inputShape(1).length) : b;
    ctx.w.emit('MatMul', [ta, tb], {}, ctx.out);
  }),
};
