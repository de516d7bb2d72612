/**
 * ONNX lowerings of the unary elementwise ops, gelu and cast. Most are one ONNX op; rsqrt, silu and
 * square are two, and gelu is written out in either form (tanh approximation or exact erf) the way
 * the reference kernel computes it.
 */
import { direct, f32, lower, onnxDType, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { DATA_TYPE } from '../model.ts';
import type { DType } from '../../../compiler/core/ir/types.ts';

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (Hendrycks & Gimpel 2016), or 0.5·x·(1 + erf(x/√2)). */
function gelu(ctx: LowerCtx): void {
  const { w } = ctx;
  const [x] = ctx.inputs;
  const inner =
    ctx.attrs.approximate === 'none'
      ? w.emit('Erf', [w.emit('Mul', [x, f32(ctx, Math.SQRT1_2)])])
      : w.emit('Tanh', [
          w.emit('Mul', [
            f32(ctx, Math.sqrt(2 / Math.PI)),
            w.emit('Add', [x, w.emit('Mul', [f32(ctx, 0.044715), w.emit('Mul', [x, w.emit('Mul', [x, x])])])]),
          ]),
        ]);
  w.emit('Mul', [w.emit('Mul', [x, f32(ctx, 0.5)]), w.emit('Add', [f32(ctx, 1), inner])], {}, ctx.out);
}

export const ELEMENTWISE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  neg: direct('Neg'),
  abs: direct('Abs'),
  exp: direct('Exp'),
  log: direct('Log'),
  sqrt: direct('Sqrt'),
  rsqrt: lower((ctx) => {
    ctx.w.emit('Reciprocal', [ctx.w.emit('Sqrt', ctx.inputs)], {}, ctx.out);
  }),
  sin: direct('Sin'),
  cos: direct('Cos'),
  tanh: direct('Tanh'),
  sigmoid: direct('Sigmoid'),
  silu: lower((ctx) => {
    ctx.w.emit('Mul', [ctx.inputs[0], ctx.w.emit('Sigmoid', ctx.inputs)], {}, ctx.out);
  }),
  relu: direct('Relu'),
  square: lower((ctx) => {
    ctx.w.emit('Mul', [ctx.inputs[0], ctx.inputs[0]], {}, ctx.out);
  }),
  gelu: lower(gelu),
  // ONNX Cast truncates float → int toward zero and maps nonzero → true, as the op declares.
  cast: lower((ctx) => {
    ctx.w.emit('Cast', ctx.inputs, { to: { i: DATA_TYPE[onnxDType(ctx.attrs.dtype as DType, ctx.node)] } }, ctx.out);
  }),
};
