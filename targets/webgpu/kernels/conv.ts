/**
 * The conv2d template, in two forms.
 *
 * GPU form: implicit GEMM on the shared-memory tiled skeleton (gemm.ts). Rows are output pixels of
 * the whole batch (m = (n·H' + y)·W' + x), columns output channels of one group, and the depth index
 * walks (c, ky, kx) in the weight's OIHW order, so B is the weight read in place and A is the im2col
 * view of the input, gathered on the fly with zero padding. Groups run along grid z.
 *
 * CPU-adapter form (`software` capability): a direct convolution that walks the taps (ky, kx) and
 * the input channels as nested loops instead of decomposing a flat depth index. One workgroup of WG
 * threads covers WG·TM output pixels × TN output channels; each thread keeps TM×TN accumulators in
 * registers. Per tap, every pixel's input offset and padding mask are computed once, so the channel
 * loop does one load, one select and TN fused multiply-adds per pixel. When the input is a fused
 * producer rather than a buffer, its value is computed through the writer at (n, c, y, x) instead.
 *
 * In both, the bias and any fused epilogue are applied to the accumulators before the single write.
 */
import { tensorOf, type Node } from '../../../compiler/core/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { staticShape } from '../wgsl-util.ts';
import { emitAccumulatorStores, emitGemm, gemmConfig, type GemmSpec } from './gemm.ts';
import { requireEpilogueShape, storeRoot, type Template, type TemplateArgs, type TemplateResult } from './template.ts';

const pair = (v: unknown): [number, number] => [(v as number[])[0], (v as number[])[1]];

export const conv2dTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const conv = args.anchor!;
  const [x, wt, bias] = conv.inputs;
  const [nb, , h, wd] = staticShape(x);
  const [o, cg, kh, kw] = staticShape(wt);
  const [, , oh, ow] = staticShape(conv);
  const [sh, sw] = pair(conv.attrs.stride),
    [ph, pw] = pair(conv.attrs.pad),
    [dh, dw] = pair(conv.attrs.dilation);
  const groups = conv.attrs.groups as number;
  const og = o / groups;
  const m = nb * oh * ow,
    k = cg * kh * kw;
  /** Batch index and top-left input coordinates of output pixel `mi`. */
  const pixel = (w: KernelWriter, mi: string): [string, string, string] => [
    w.let(`${mi} / ${oh * ow}u`, 'pn'),
    w.let(`i32((${mi} / ${ow}u) % ${oh}u) * ${sh}i - ${ph}i`, 'py'),
    w.let(`i32(${mi} % ${ow}u) * ${sw}i - ${pw}i`, 'px'),
  ];
  const channel = (w: KernelWriter, z: string, ni: string): string => (groups === 1 ? ni : w.let(`${z} * ${og}u + ${ni}`, 'oc'));
  const tap = (w: KernelWriter, ki: string): [string, string, string] => [
    w.let(`${ki} / ${kh * kw}u`, 'ci'),
    w.let(`(${ki} / ${kw}u) % ${kh}u`, 'ky'),
    w.let(`${ki} % ${kw}u`, 'kx'),
  ];
  const spec: GemmSpec = {
    m,
    n: og,
    k,
    z: groups,
    aFast: 'm',
    bFast: 'k',
    loadA: (w, z, mi, ki) => {
      const [pn, py, px] = pixel(w, mi);
      const [ci, ky, kx] = tap(w, ki);
      const iy = w.let(`${py} + i32(${ky} * ${dh}u)`, 'iy'),
        ix = w.let(`${px} + i32(${kx} * ${dw}u)`, 'ix');
      const inside = w.let(`${iy} >= 0i && ${iy} < ${h}i && ${ix} >= 0i && ${ix} < ${wd}i`, 'in');
      const cin = groups === 1 ? ci : w.let(`${z} * ${cg}u + ${ci}`, 'cin');
      const yy = w.let(`u32(clamp(${iy}, 0i, ${h - 1}i))`, 'yy'),
        xx = w.let(`u32(clamp(${ix}, 0i, ${wd - 1}i))`, 'xx');
      return `select(0.0f, ${w.value(x, [pn, cin, yy, xx])}, ${inside})`;
    },
    loadB: (w, z, ki, ni) => {
      const [ci, ky, kx] = tap(w, ki);
      return w.value(wt, [channel(w, z, ni), ci, ky, kx]);
    },
    store: (w, z, mi, ni, acc) => {
      const pn = w.let(`${mi} / ${oh * ow}u`, 'pn'),
        py = w.let(`(${mi} / ${ow}u) % ${oh}u`, 'py'),
        px = w.let(`${mi} % ${ow}u`, 'px');
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

interface DirectConvConfig {
  readonly wg: number;
  readonly tm: number;
  readonly tn: number;
}

/** 8 threads (one AVX2 SIMD group); 8×16 register blocks measured fastest on lavapipe at unet_small's shapes. */
function directConvConfig(pixels: number, channels: number): DirectConvConfig {
  return { wg: 8, tm: pixels >= 512 ? 8 : pixels >= 64 ? 4 : 1, tn: channels >= 16 ? 16 : channels >= 8 ? 8 : channels >= 4 ? 4 : 1 };
}

/** A region param read straight from its buffer, or undefined when the operand is computed. */
function bufferOf(w: KernelWriter, n: Node): string | undefined {
  const i = w.region.params.indexOf(n);
  if (i < 0 || tensorOf(n).dtype === 'bool') return undefined;
  w.usedParams.add(i);
  return `in${i}`;
}

interface ConvGeometry {
  readonly x: Node;
  readonly wt: Node;
  readonly bias?: Node;
  readonly c: number;
  readonly h: number;
  readonly wd: number;
  readonly cg: number;
  readonly kh: number;
  readonly kw: number;
  readonly oh: number;
  readonly ow: number;
  readonly og: number;
  readonly m: number;
  readonly groups: number;
  readonly stride: [number, number];
  readonly pad: [number, number];
  readonly dilation: [number, number];
}

function geometry(conv: Node): ConvGeometry {
  const [x, wt, bias] = conv.inputs;
  const [nb, c, h, wd] = staticShape(x);
  const [o, cg, kh, kw] = staticShape(wt);
  const [, , oh, ow] = staticShape(conv);
  const groups = conv.attrs.groups as number;
  return {
    x,
    wt,
    bias,
    c,
    h,
    wd,
    cg,
    kh,
    kw,
    oh,
    ow,
    og: o / groups,
    m: nb * oh * ow,
    groups,
    stride: pair(conv.attrs.stride),
    pad: pair(conv.attrs.pad),
    dilation: pair(conv.attrs.dilation),
  };
}

interface Pixel {
  readonly n: string;
  readonly y: string;
  readonly x: string;
  readonly base: string;
}

/** The tap loops: per (ky, kx) each pixel's offset and mask once, then the channel loop. */
function emitTapLoops(w: KernelWriter, g: ConvGeometry, px: Pixel[], oc: string[], bufs: { x?: string; w?: string }): void {
  const { h, wd, cg, kh, kw } = g;
  const [dh, dw] = g.dilation;
  w.block(`for (var ky = 0u; ky < ${kh}u; ky++)`, () => {
    w.block(`for (var kx = 0u; kx < ${kw}u; kx++)`, () => {
      const taps = px.map((p) => {
        const iy = w.let(`${p.y} + i32(ky * ${dh}u)`, 'iy'),
          ix = w.let(`${p.x} + i32(kx * ${dw}u)`, 'ix');
        const ok = w.let(`${iy} >= 0i && ${iy} < ${h}i && ${ix} >= 0i && ${ix} < ${wd}i`, 'ok');
        const yy = w.let(`u32(clamp(${iy}, 0i, ${h - 1}i))`, 'yy'),
          xx = w.let(`u32(clamp(${ix}, 0i, ${wd - 1}i))`, 'xx');
        return { ok, yy, xx, off: bufs.x ? w.let(`${p.base} + ${yy} * ${wd}u + ${xx}`, 'off') : '' };
      });
      const wOff = oc.map((ocj) => (bufs.w ? w.let(`${ocj} * ${cg * kh * kw}u + ky * ${kw}u + kx`, 'wo') : ''));
      w.block(`for (var ci = 0u; ci < ${cg}u; ci++)`, () => {
        const cin = g.groups === 1 ? 'ci' : w.let(`z * ${cg}u + ci`, 'cin');
        const a = taps.map((t, i) =>
          w.let(`select(0.0f, ${bufs.x ? `${bufs.x}[${t.off} + ci * ${h * wd}u]` : w.value(g.x, [px[i].n, cin, t.yy, t.xx])}, ${t.ok})`, 'a'),
        );
        const b = oc.map((ocj, j) => w.let(bufs.w ? `${bufs.w}[${wOff[j]} + ci * ${kh * kw}u]` : w.value(g.wt, [ocj, 'ci', 'ky', 'kx']), 'b'));
        a.forEach((ai, i) => b.forEach((bj, j) => w.line(`acc${i}_${j} = fma(${ai}, ${bj}, acc${i}_${j});`)));
      });
    });
  });
}

function emitDirectConv(args: TemplateArgs, cfg: DirectConvConfig): TemplateResult {
  const { w } = args;
  const g = geometry(args.anchor!);
  const { m, og, oh, ow, cg } = g;
  const { wg, tm, tn } = cfg;
  const bufs = { x: bufferOf(w, g.x), w: bufferOf(w, g.wt) };
  w.line('let z = wid.z;');
  const oc = Array.from({ length: tn }, (_, j) => w.let(`z * ${og}u + min(wid.x * ${tn}u + ${j}u, ${og - 1}u)`, `o${j}_`));
  const px = Array.from({ length: tm }, (_, i): Pixel => {
    const p = w.let(`min(wid.y * ${wg * tm}u + lid.x + ${i * wg}u, ${m - 1}u)`, `m${i}_`);
    const n = w.let(`${p} / ${oh * ow}u`, 'pn');
    return {
      n,
      y: w.let(`i32((${p} / ${ow}u) % ${oh}u) * ${g.stride[0]}i - ${g.pad[0]}i`, 'py'),
      x: w.let(`i32(${p} % ${ow}u) * ${g.stride[1]}i - ${g.pad[1]}i`, 'px'),
      base: bufs.x ? w.let(`(${n} * ${g.c}u + z * ${cg}u) * ${g.h * g.wd}u`, 'base') : '',
    };
  });
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`var acc${i}_${j} = 0.0f;`);
  emitTapLoops(w, g, px, oc, bufs);
  emitAccumulatorStores(w, tm, tn, (i, j, acc) => {
    const p = w.let(`wid.y * ${wg * tm}u + lid.x + ${i} * ${wg}u`, 'row'),
      col = w.let(`wid.x * ${tn}u + ${j}`, 'col');
    w.block(`if (${p} < ${m}u && ${col} < ${og}u)`, () => {
      const ocj = w.let(`z * ${og}u + ${col}`, 'oc');
      const idx = [w.let(`${p} / ${oh * ow}u`, 'qn'), ocj, w.let(`(${p} / ${ow}u) % ${oh}u`, 'qy'), w.let(`${p} % ${ow}u`, 'qx')];
      storeRoot(w, args, idx, g.bias ? w.let(`${acc} + ${w.value(g.bias, [ocj])}`, 'cb') : acc);
    });
  });
  return {
    workgroupSize: wg,
    workgroups: [Math.ceil(og / tn), Math.ceil(m / (wg * tm)), g.groups],
    params: { style: 'direct-conv', ...cfg },
    flops: 2 * m * og * g.groups * cg * g.kh * g.kw + (g.bias ? m * og * g.groups : 0),
  };
}
