/**
 * The conv2d template: implicit GEMM on the tiled skeleton. Rows are output pixels of the whole
 * batch (m = (n·H' + y)·W' + x), columns output channels of one group, and the depth index walks
 * (c, ky, kx) in the weight's OIHW order, so B is the weight read in place and A is the im2col
 * view of the input, gathered on the fly with zero padding. Groups run along grid z. The bias and
 * any fused epilogue are applied to the accumulators before the single write.
 */
import { staticShape } from '../wgsl-util.ts';
import type { KernelWriter } from '../wgsl.ts';
import { emitGemm, gemmConfig } from './gemm.ts';
import { requireEpilogueShape, storeRoot, type Template } from './template.ts';

const pair = (v: unknown): [number, number] => [(v as number[])[0], (v as number[])[1]];

export const conv2dTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const conv = args.anchor!;
  const [x, wt, bias] = conv.inputs;
  const [nb, , h, wd] = staticShape(x);
  const [o, cg, kh, kw] = staticShape(wt);
  const [, , oh, ow] = staticShape(conv);
  const [sh, sw] = pair(conv.attrs.stride), [ph, pw] = pair(conv.attrs.pad), [dh, dw] = pair(conv.attrs.dilation);
  const groups = conv.attrs.groups as number;
  const og = o / groups;
  const m = nb * oh * ow, k = cg * kh * kw;
  const pixel = (w: KernelWriter, mi: string): [string, string, string] => [
    w.let(`${mi} / ${oh * ow}u`, 'pn'), w.let(`(${mi} / ${ow}u) % ${oh}u`, 'py'), w.let(`${mi} % ${ow}u`, 'px'),
  ];
  const channel = (w: KernelWriter, z: string, ni: string): string => (groups === 1 ? ni : w.let(`${z} * ${og}u + ${ni}`, 'oc'));
  const cfg = gemmConfig(m, og);
  const workgroups = emitGemm(args.w, {
    m, n: og, k, z: groups,
    aFast: 'm',
    bFast: 'k',
    loadA: (w, z, mi, ki) => {
      const [pn, py, px] = pixel(w, mi);
      const ci = w.let(`${ki} / ${kh * kw}u`, 'ci');
      const ky = w.let(`(${ki} / ${kw}u) % ${kh}u`, 'ky'), kx = w.let(`${ki} % ${kw}u`, 'kx');
      const iy = w.let(`i32(${py} * ${sh}u + ${ky} * ${dh}u) - ${ph}i`, 'iy');
      const ix = w.let(`i32(${px} * ${sw}u + ${kx} * ${dw}u) - ${pw}i`, 'ix');
      const inside = `${iy} >= 0i && ${iy} < ${h}i && ${ix} >= 0i && ${ix} < ${wd}i`;
      const v = w.fresh('xv');
      w.line(`var ${v} = 0.0f;`);
      const cin = groups === 1 ? ci : w.let(`${z} * ${cg}u + ${ci}`, 'cin');
      w.block(`if (${inside})`, () => { w.line(`${v} = ${w.value(x, [pn, cin, `u32(${iy})`, `u32(${ix})`])};`); });
      return v;
    },
    loadB: (w, z, ki, ni) => {
      const ci = w.let(`${ki} / ${kh * kw}u`, 'ci');
      const ky = w.let(`(${ki} / ${kw}u) % ${kh}u`, 'ky'), kx = w.let(`${ki} % ${kw}u`, 'kx');
      return w.value(wt, [channel(w, z, ni), ci, ky, kx]);
    },
    store: (w, z, mi, ni, acc) => {
      const [pn, py, px] = pixel(w, mi);
      const oc = channel(w, z, ni);
      const value = bias ? w.let(`${acc} + ${w.value(bias, [oc])}`, 'cb') : acc;
      storeRoot(w, args, [pn, oc, py, px], value);
    },
  }, cfg);
  return {
    workgroupSize: 256,
    workgroups,
    params: { bm: cfg.bm, bn: cfg.bn, bk: cfg.bk, tm: cfg.tm, tn: cfg.tn },
    flops: 2 * m * o * k + (bias ? m * o : 0),
  };
};
