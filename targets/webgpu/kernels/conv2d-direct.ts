/**
 * conv2d for CPU adapters: a direct convolution that walks the taps (ky, kx) and the input
 * channels as nested loops instead of decomposing a flat depth index. One workgroup of WG threads
 * covers WG·TM output pixels × TN output channels; each thread keeps TM×TN accumulators in
 * registers. Per tap, every pixel's input offset and padding mask are computed once, so the channel
 * loop does one load, one select and TN fused multiply-adds per pixel. When the input is a fused
 * producer rather than a buffer, its value is computed through the writer at (n, c, y, x) instead.
 */
import { tensorOf, type Node } from '../../../compiler/ir/node.ts';
import type { KernelWriter } from '../wgsl.ts';
import { staticShape } from '../wgsl-util.ts';
import { storeRoot, type TemplateArgs, type TemplateResult } from './template.ts';

const pair = (v: unknown): [number, number] => [(v as number[])[0], (v as number[])[1]];

export interface DirectConvConfig { readonly wg: number; readonly tm: number; readonly tn: number }

/** 8 threads (one AVX2 SIMD group); 8×16 register blocks measured fastest on lavapipe at unet_small's shapes. */
export function directConvConfig(pixels: number, channels: number): DirectConvConfig {
  return { wg: 8, tm: pixels >= 512 ? 8 : pixels >= 64 ? 4 : 1, tn: channels >= 16 ? 16 : channels >= 8 ? 8 : channels >= 4 ? 4 : 1 };
}

/** A region param read straight from its buffer, or undefined when the operand is computed. */
function bufferOf(w: KernelWriter, n: Node): string | undefined {
  const i = w.region.params.indexOf(n);
  if (i < 0 || tensorOf(n).dtype === 'bool') return undefined;
  w.usedParams.add(i);
  return `in${i}`;
}

export function emitDirectConv(args: TemplateArgs, cfg: DirectConvConfig): TemplateResult {
  const { w } = args;
  const conv = args.anchor!;
  const [x, wt, bias] = conv.inputs;
  const [nb, c, h, wd] = staticShape(x);
  const [o, cg, kh, kw] = staticShape(wt);
  const [, , oh, ow] = staticShape(conv);
  const [sh, sw] = pair(conv.attrs.stride), [ph, pw] = pair(conv.attrs.pad), [dh, dw] = pair(conv.attrs.dilation);
  const groups = conv.attrs.groups as number;
  const og = o / groups;
  const m = nb * oh * ow;
  const { wg, tm, tn } = cfg;
  const xBuf = bufferOf(w, x), wBuf = bufferOf(w, wt);
  w.line('let z = wid.z;');
  const rows = Array.from({ length: tm }, (_, i) => `wid.y * ${wg * tm}u + lid.x + ${i * wg}u`);
  const mi = rows.map((r, i) => w.let(`min(${r}, ${m - 1}u)`, `m${i}_`));
  const oc = Array.from({ length: tn }, (_, j) => w.let(`z * ${og}u + min(wid.x * ${tn}u + ${j}u, ${og - 1}u)`, `o${j}_`));
  const px = mi.map((p) => ({
    n: w.let(`${p} / ${oh * ow}u`, 'pn'),
    y: w.let(`i32((${p} / ${ow}u) % ${oh}u) * ${sh}i - ${ph}i`, 'py'),
    x: w.let(`i32(${p} % ${ow}u) * ${sw}i - ${pw}i`, 'px'),
  }));
  const base = px.map((p) => (xBuf ? w.let(`(${p.n} * ${c}u + z * ${cg}u) * ${h * wd}u`, 'base') : ''));
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`var acc${i}_${j} = 0.0f;`);
  w.block(`for (var ky = 0u; ky < ${kh}u; ky++)`, () => {
    w.block(`for (var kx = 0u; kx < ${kw}u; kx++)`, () => {
      const taps = px.map((p, i) => {
        const iy = w.let(`${p.y} + i32(ky * ${dh}u)`, 'iy'), ix = w.let(`${p.x} + i32(kx * ${dw}u)`, 'ix');
        const ok = w.let(`${iy} >= 0i && ${iy} < ${h}i && ${ix} >= 0i && ${ix} < ${wd}i`, 'ok');
        const yy = w.let(`u32(clamp(${iy}, 0i, ${h - 1}i))`, 'yy'), xx = w.let(`u32(clamp(${ix}, 0i, ${wd - 1}i))`, 'xx');
        return { ok, yy, xx, off: xBuf ? w.let(`${base[i]} + ${yy} * ${wd}u + ${xx}`, 'off') : '' };
      });
      const wOff = oc.map((ocj) => (wBuf ? w.let(`${ocj} * ${cg * kh * kw}u + ky * ${kw}u + kx`, 'wo') : ''));
      w.block(`for (var ci = 0u; ci < ${cg}u; ci++)`, () => {
        const cin = groups === 1 ? 'ci' : w.let(`z * ${cg}u + ci`, 'cin');
        const a = taps.map((t, i) => w.let(`select(0.0f, ${xBuf ? `${xBuf}[${t.off} + ci * ${h * wd}u]` : w.value(x, [px[i].n, cin, t.yy, t.xx])}, ${t.ok})`, 'a'));
        const b = oc.map((ocj, j) => w.let(wBuf ? `${wBuf}[${wOff[j]} + ci * ${kh * kw}u]` : w.value(wt, [ocj, 'ci', 'ky', 'kx']), 'b'));
        for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`acc${i}_${j} = fma(${a[i]}, ${b[j]}, acc${i}_${j});`);
      });
    });
  });
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn; j++) {
      w.block(`if (${rows[i]} < ${m}u && wid.x * ${tn}u + ${j}u < ${og}u)`, () => {
        const p = mi[i];
        const idx = [w.let(`${p} / ${oh * ow}u`, 'qn'), oc[j], w.let(`(${p} / ${ow}u) % ${oh}u`, 'qy'), w.let(`${p} % ${ow}u`, 'qx')];
        const v = bias ? w.let(`acc${i}_${j} + ${w.value(bias, [oc[j]])}`, 'cb') : `acc${i}_${j}`;
        storeRoot(w, args, idx, v);
      });
    }
  }
  return {
    workgroupSize: wg,
    workgroups: [Math.ceil(og / tn), Math.ceil(m / (wg * tm)), groups],
    params: { style: 'direct-conv', ...cfg },
    flops: 2 * m * o * cg * kh * kw + (bias ? m * o : 0),
  };
}
