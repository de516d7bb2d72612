/**
 * ONNX lowerings of the reductions and softmax. At opset 18 every Reduce* takes its axes as an
 * int64 input; variance is the population variance, mean((x − mean(x))²), over the same axes.
 */
import { i64, ints, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';

const reduce = (op: string) =>
  lower((ctx) => {
    ctx.w.emit(op, [ctx.inputs[0], i64(ctx, ints(ctx.attrs.axes))], { keepdims: { i: ctx.attrs.keepdims ? 1 : 0 } }, ctx.out);
  });

function variance(ctx: LowerCtx): void {
  const { w } = ctx;
  const [x] = ctx.inputs;
  const axes = i64(ctx, ints(ctx.attrs.axes));
  const d = w.emit('Sub', [x, w.emit('ReduceMean', [x, axes], { keepdims: { i: 1 } })]);
  w.emit('ReduceMean', [w.emit('Mul', [d, d]), axes], { keepdims: { i: ctx.attrs.keepdims ? 1 : 0 } }, ctx.out);
}

export const REDUCE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  sum: reduce('ReduceSum'),
  mean: reduce('ReduceMean'),
  reduce_max: reduce('ReduceMax'),
  variance: lower(variance),
  softmax: lower((ctx) => {
    ctx.w.emit('Softmax', ctx.inputs, { axis: { i: Number(ctx.attrs.axis ?? -1) } }, ctx.out);
  }),
};
