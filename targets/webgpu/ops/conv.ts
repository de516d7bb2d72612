/**
 * WebGPU lowerings of the conv family: conv2d anchors the conv2d kernel template (kernels/conv.ts);
 * avg_pool2d needs no cross-thread reduction, so it is an expression that sums its window per output
 * element and fuses anywhere.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { lit } from '../wgsl-util.ts';
import { expr, ints, type LoweringTable, template } from '../lower-context.ts';

function emitAvgPool(w: KernelWriter, node: Node, idx: readonly string[]): string {
  const [kh, kw] = ints(node, 'kernel');
  const [sh, sw] = node.attrs.stride === undefined ? [kh, kw] : ints(node, 'stride');
  const acc = w.fresh('pool');
  w.line(`var ${acc} = 0.0f;`);
  const h0 = w.let(`${idx[2]} * ${sh}u`, 'ph'),
    w0 = w.let(`${idx[3]} * ${sw}u`, 'pw');
  w.block(`for (var ky = 0u; ky < ${kh}u; ky++)`, () => {
    w.block(`for (var kx = 0u; kx < ${kw}u; kx++)`, () => {
      const y = w.let(`${h0} + ky`, 'py'),
        x = w.let(`${w0} + kx`, 'px');
      w.line(`${acc} += ${w.value(node.inputs[0], [idx[0], idx[1], y, x])};`);
    });
  });
  return `(${acc} / ${lit(kh * kw, 'f32')})`;
}

export const CONV_LOWERINGS: LoweringTable = {
  conv2d: template('conv2d'),
  avg_pool2d: expr(emitAvgPool),
};
