/**
 * ONNX lowerings of the binary ops, comparisons, where and broadcast_to. ONNX broadcasts like numpy,
 * as the IR does, so each is one node; integer Div truncates toward zero in onnxruntime, as the op declares.
 */
import { direct, i64, lower, type LoweringEntry } from '../lower-context.ts';

export const BINARY_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  add: direct('Add'),
  sub: direct('Sub'),
  mul: direct('Mul'),
  div: direct('Div'),
  pow: direct('Pow'),
  min: direct('Min'),
  max: direct('Max'),
  less: direct('Less'),
  greater: direct('Greater'),
  equal: direct('Equal'),
  where: direct('Where'),
  broadcast_to: lower((ctx) => {
    ctx.w.emit('Expand', [ctx.inputs[0], i64(ctx, ctx.shape)], {}, ctx.out);
  }),
};
