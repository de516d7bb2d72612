/**
 * The conv2d template: implicit GEMM. Rows are output pixels of the whole batch
 * (m = (n·H' + y)·W' + x), columns output channels of one group, and the depth index walks
 * (c, ky, kx) in the weight's OIHW order, so B is the weight read in place and A is the im2col
 * view of the input, gathered on the fly with zero padding. Groups run along grid z. The bias and
 * any fused epilogue are applied to the accumulators before the single write.
 * This is the GPU form, on the shared-memory tiled skeleton; CPU adapters get conv2d-direct.ts.
 */
import { staticShape } from '../wgsl-util.ts';
import type { KernelWriter } from '../wgsl.ts';
import { emitGemm, gemmConfig, type GemmSpec } from './gemm.ts';
import { directConvConfig, emitDirectConv } from './conv2d-direct.ts';
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
  /** Batch index and top-left input coordinates of output pixel `mi`. */
  const pixel = (w: KernelWriter, mi: string): [string, string, string] => [
    w.let(`${mi} / ${oh * ow}u`, 'pn'),
    w.let(`i32((${mi} / ${ow}u) % ${oh}u) * ${sh}i - ${ph}i`, 'py'),
    w.let(`i32(${mi} % ${ow}u) * ${sw}i - ${pw}i`, 'px'),
  ];
  const channel = (w: KernelWriter, z: string, ni: string): string => (groups === 1 ? ni : w.let(`${z} * ${og}u + ${ni}`, 'oc'));
  const tap = (w: KernelWriter, ki: string): [string, string, string] => [
    w.let(`${ki} / ${kh * kw}u`, 'ci'), w.let(`(${ki} / ${kw}u) % ${kh}u`, 'ky'), w.let(`${ki} % ${kw}u`, 'kx'),
  ];
  const spec: GemmSpec = {
    m, n: og, k, z: groups,
    aFast: 'm',
    bFast: 'k',
    loadA: (w, z, mi, ki) => {
      const [pn, py, px] = pixel(w, mi);
      const [ci, ky, kx] = tap(w, ki);
      const iy = w.let(`${py} + i32(${ky} * ${dh}u)`, 'iy'), ix = w.let(`${px} + i32(${kx} * ${dw}u)`, 'ix');
      const inside = w.let(`${iy} >= 0i && ${iy} < ${h}i && ${ix} >= 0i && ${ix} < ${wd}i`, 'in');
      const cin = groups === 1 ? ci : w.let(`${z} * ${cg}u + ${ci}`, 'cin');
      const yy = w.let(`u32(clamp(${iy}, 0i, ${h - 1}i))`, 'yy'), xx = w.let(`u32(clamp(${ix}, 0i, ${wd - 1}i))`, 'xx');
      return `select(0.0f, ${w.value(x, [pn, cin, yy, xx])}, ${inside})`;
    },
    loadB: (w, z, ki, ni) => {
      const [ci, ky, kx] = tap(w, ki);
      return w.value(wt, [channel(w, z, ni), ci, ky, kx]);
    },
    store: (w, z, mi, ni, acc) => {
      const pn = w.let(`${mi} / ${oh * ow}u`, 'pn'), py = w.let(`(${mi} / ${ow}u) % ${oh}u`, 'py'), px = w.let(`${mi} % ${ow}u`, 'px');
      const oc = channel(w, z, ni);
      const value = bias ? w.let(`${acc} + ${w.value(bias, [oc])}`, 'cb') : acc;
      storeRoot(w, args, [pn, oc, py, px], value);
    },
  };
  const flops = 2 * m * o * k + (bias ? m * o : 0);
  if (args.caps.software) return emitDirectConv(args, directConvConfig(m, og));
  const cfg = gemmConfig(m, og);
  const workgroups = emitGemm(args.w, spec, cfg);
  return { workgroupSize: 256, workgroups, params: { style: 'tiled', ...cfg }, flops };
};
