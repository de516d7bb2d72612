/**
 * ONNX lowerings of conv2d (NCHW × OIHW, optional bias, symmetric padding) and avg_pool2d (no
 * padding, stride defaulting to the kernel): both map onto one ONNX node.
 */
import { ints, lower, type LoweringEntry } from '../lower-context.ts';

export const CONV_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  conv2d: lower((ctx) => {
    const [ph, pw] = ints(ctx.attrs.pad ?? [0, 0]);
    ctx.w.emit(
      'Conv',
      ctx.inputs,
      {
        strides: { ints: ints(ctx.attrs.stride ?? [1, 1]) },
        pads: { ints: [ph, pw, ph, pw] },
        dilations: { ints: ints(ctx.attrs.dilation ?? [1, 1]) },
        group: { i: Number(ctx.attrs.groups ?? 1) },
      },
      ctx.out,
    );
  }),
  avg_pool2d: lower((ctx) => {
    const kernel = ints(ctx.attrs.kernel ?? [2, 2]);
    ctx.w.emit('AveragePool', ctx.inputs, { kernel_shape: { ints: kernel }, strides: { ints: ints(ctx.attrs.stride ?? kernel) } }, ctx.out);
  }),
};
