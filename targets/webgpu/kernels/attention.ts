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

const QUERIES = 64;

function operandBatch(shape: readonly number[], outBatch: readonly string[]): string[] {
  const rank = shape.length - 2;
  const lead = outBatch.length - rank;
  return shape.slice(0, rank).map((d, i) => (d === 1 ? '0u' : outBatch[lead + i]));
}

/** Emits a cooperative copy of rows [kb, kb+tk) of a [.., L, width] operand into `tile`. */
function stageBlock(w: KernelWriter, tile: string, node: Parameters<KernelWriter['value']>[0], batch: string[],
  tk: number, width: number, len: number): void {
  w.block(`for (var e = lid.x; e < ${tk * width}u; e += ${QUERIES}u)`, () => {
    const r = w.let(`kb + e / ${width}u`, 'key'), c = w.let(`e % ${width}u`, 'col');
    w.line('var t = 0.0f;');
    w.block(`if (${r} < ${len}u)`, () => w.line(`t = ${w.value(node, [...batch, r, c])};`));
    w.line(`${tile}[e] = t;`);
  });
}

export const attentionTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
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
  w.line(`let qi = wid.x * ${QUERIES}u + lid.x;`);
  w.line(`let live = qi < ${lq}u;`);
  w.line(`var qv: array<f32, ${d}>;`);
  w.line(`var o: array<f32, ${dv}>;`);
  w.line(`var s: array<f32, ${tk}>;`);
  w.line('var m = -3.0e38f;');
  w.line('var l = 0.0f;');
  w.block('if (live)', () => {
    w.block(`for (var c = 0u; c < ${d}u; c++)`, () => w.line(`qv[c] = ${w.value(q, [...operandBatch(qs, batch), 'qi', 'c'])} * ${lit(scale, 'f32')};`));
  });
  w.block(`for (var kb = 0u; kb < ${lk}u; kb += ${tk}u)`, () => {
    stageBlock(w, 'tileK', k, operandBatch(ks, batch), tk, d, lk);
    stageBlock(w, 'tileV', v, operandBatch(vs, batch), tk, dv, lk);
    w.line('workgroupBarrier();');
    w.block('if (live)', () => {
      w.line(`let cnt = min(${tk}u, ${lk}u - kb);`);
      w.line('var bmax = -3.0e38f;');
      w.block('for (var t = 0u; t < cnt; t++)', () => {
        w.line('var dot = 0.0f;');
        w.line(`for (var c = 0u; c < ${d}u; c++) { dot = fma(qv[c], tileK[t * ${d}u + c], dot); }`);
        w.line('s[t] = dot;');
        w.line('bmax = max(bmax, dot);');
      });
      w.line('let mnew = max(m, bmax);');
      w.line('let corr = exp(m - mnew);');
      w.line('l = l * corr;');
      w.line(`for (var c = 0u; c < ${dv}u; c++) { o[c] = o[c] * corr; }`);
      w.block('for (var t = 0u; t < cnt; t++)', () => {
        w.line('let p = exp(s[t] - mnew);');
        w.line('l = l + p;');
        w.line(`for (var c = 0u; c < ${dv}u; c++) { o[c] = fma(p, tileV[t * ${dv}u + c], o[c]); }`);
      });
      w.line('m = mnew;');
    });
    w.line('workgroupBarrier();');
  });
  w.block('if (live)', () => {
    w.block(`for (var c = 0u; c < ${dv}u; c++)`, () => storeRoot(w, args, [...batch, 'qi', 'c'], w.let('o[c] / l', 'y')));
  });
  const batchCount = numel(batchShape);
  return {
    workgroupSize: QUERIES,
    workgroups: [Math.ceil(lq / QUERIES), batchCount, 1],
    params: { tk },
    flops: 2 * batchCount * lq * lk * (d + dv),
  };
};
