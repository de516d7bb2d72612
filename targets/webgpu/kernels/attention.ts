/**
 * The attention template: softmax(q·kᵀ·scale)·v in one kernel, flash-style (Dao et al. 2022):
 * the score matrix is never stored. Each thread owns one query row; the workgroup stages a block
 * of keys and values in workgroup memory, each thread scores its query against the block, and an
 * online softmax (running max m and sum l, rescaling the accumulator by e^(m_old − m_new)) folds
 * the block into the output. Batch/head dims broadcast and run along grid y; q, k and v may be
 * fused data-movement views (e.g. head splitting transposes).
 */
import { numel } from '../../../compiler/ir/types.ts';
import { lit, staticShape } from '../wgsl-util.ts';
import type { KernelWriter } from '../wgsl.ts';
import { requireEpilogueShape, storeRoot, unflatten, type Template } from './template.ts';


function operandBatch(shape: readonly number[], outBatch: readonly string[]): string[] {
  const rank = shape.length - 2;
  const lead = outBatch.length - rank;
  return shape.slice(0, rank).map((d, i) => (d === 1 ? '0u' : outBatch[lead + i]));
}

/** Emits a cooperative copy of rows [kb, kb+tk) of a [.., L, width] operand into `tile`. */
function stageBlock(w: KernelWriter, tile: string, node: Parameters<KernelWriter['value']>[0], batch: string[],
  tk: number, width: number, len: number, queries: number): void {
  w.block(`for (var e = lid.x; e < ${tk * width}u; e += ${queries}u)`, () => {
    const r = w.let(`kb + e / ${width}u`, 'key'), c = w.let(`e % ${width}u`, 'col');
    w.line('var t = 0.0f;');
    w.block(`if (${r} < ${len}u)`, () => w.line(`t = ${w.value(node, [...batch, r, c])};`));
    w.line(`${tile}[e] = t;`);
  });
}

export const attentionTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
  // Queries per workgroup: 64 fills a GPU's SIMD groups; on a CPU, fewer barrier participants win.
  const queries = caps.software ? 16 : 64;
  const att = args.anchor!;
  const [q, k, v] = att.inputs;
  const qs = staticShape(q), ks = staticShape(k), vs = staticShape(v);
  const out = staticShape(att);
  const batchShape = out.slice(0, -2);
  const [lq, d] = qs.slice(-2), lk = ks[ks.length - 2], dv = vs[vs.length - 1];
  const scale = (att.attrs.scale as number) || 1 / Math.sqrt(d);
  const tk = Math.max(1, Math.min(64, lk, Math.floor((caps.maxComputeWorkgroupStorageSize / 4 - 64) / (d + dv))));
  w.shared.push(`var<workgroup> tileK: array<f32, ${tk * d}>;`, `var<workgroup> tileV: array<f32, ${tk * dv}>;`);
  const batch = unflatten(w, 'wid.y', batchShape);
  w.line(`let qi = wid.x * ${queries}u + lid.x;`);
  w.line(`let live = qi < ${lq}u;`);
  // Head sizes up to 64 keep q and the accumulator in scalar registers (unrolled loops).
  const unroll = d <= 64 && dv <= 64;
  const reg = (name: string, c: number | 'c'): string => (unroll ? `${name}_${c}` : `${name}[${c}]`);
  const each = (n: number, f: (c: number | 'c', cu: string) => string): void => {
    if (unroll) for (let c = 0; c < n; c++) w.line(f(c, `${c}u`));
    else w.line(`for (var c = 0u; c < ${n}u; c++) { ${f('c', 'c')} }`);
  };
  if (unroll) {
    for (let c = 0; c < d; c++) w.line(`var ${reg('qv', c)} = 0.0f;`);
    for (let c = 0; c < dv; c++) w.line(`var ${reg('o', c)} = 0.0f;`);
  } else {
    w.line(`var qv: array<f32, ${d}>;`);
    w.line(`var o: array<f32, ${dv}>;`);
  }
  w.line(`var s: array<f32, ${tk}>;`);
  w.line('var m = -3.0e38f;');
  w.line('var l = 0.0f;');
  const qb = operandBatch(qs, batch);
  w.block('if (live)', () => {
    if (unroll) for (let c = 0; c < d; c++) w.line(`${reg('qv', c)} = ${w.value(q, [...qb, 'qi', `${c}u`])} * ${lit(scale, 'f32')};`);
    else w.block(`for (var c = 0u; c < ${d}u; c++)`, () => w.line(`qv[c] = ${w.value(q, [...qb, 'qi', 'c'])} * ${lit(scale, 'f32')};`));
  });
  w.block(`for (var kb = 0u; kb < ${lk}u; kb += ${tk}u)`, () => {
    stageBlock(w, 'tileK', k, operandBatch(ks, batch), tk, d, lk, queries);
    stageBlock(w, 'tileV', v, operandBatch(vs, batch), tk, dv, lk, queries);
    w.line('workgroupBarrier();');
    w.block('if (live)', () => {
      w.line(`let cnt = min(${tk}u, ${lk}u - kb);`);
      w.line('var bmax = -3.0e38f;');
      w.block('for (var t = 0u; t < cnt; t++)', () => {
        w.line('var dot = 0.0f;');
        each(d, (c, cu) => `dot = fma(${reg('qv', c)}, tileK[t * ${d}u + ${cu}], dot);`);
        w.line('s[t] = dot;');
        w.line('bmax = max(bmax, dot);');
      });
      w.line('let mnew = max(m, bmax);');
      w.line('let corr = exp(m - mnew);');
      w.line('l = l * corr;');
      each(dv, (c) => `${reg('o', c)} = ${reg('o', c)} * corr;`);
      w.block('for (var t = 0u; t < cnt; t++)', () => {
        w.line('let p = exp(s[t] - mnew);');
        w.line('l = l + p;');
        each(dv, (c, cu) => `${reg('o', c)} = fma(p, tileV[t * ${dv}u + ${cu}], ${reg('o', c)});`);
      });
      w.line('m = mnew;');
    });
    w.line('workgroupBarrier();');
  });
  w.block('if (live)', () => {
    if (unroll) for (let c = 0; c < dv; c++) storeRoot(w, args, [...batch, 'qi', `${c}u`], w.let(`${reg('o', c)} / l`, 'y'));
    else w.block(`for (var c = 0u; c < ${dv}u; c++)`, () => storeRoot(w, args, [...batch, 'qi', 'c'], w.let('o[c] / l', 'y')));
  });
  const batchCount = numel(batchShape);
  return {
    workgroupSize: queries,
    workgroups: [Math.ceil(lq / queries), batchCount, 1],
    params: { tk, queries },
    flops: 2 * batchCount * lq * lk * (d + dv),
  };
};
