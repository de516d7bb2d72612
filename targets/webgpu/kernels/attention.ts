/**
 * The attention template: softmax(q·kᵀ·scale)·v in one kernel, flash-style (Dao et al. 2022):
 * the score matrix is never stored. Each thread owns one query row; the workgroup stages a block
 * of keys and values in workgroup memory, each thread scores its query against the block, and an
 * online softmax (running max m and sum l, rescaling the accumulator by e^(m_old − m_new)) folds
 * the block into the output. Batch/head dims broadcast and run along grid y; q, k and v may be
 * fused data-movement views (e.g. head splitting transposes).
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import { numel } from '../../../compiler/core/ir/types.ts';
import { lit, staticShape } from '../wgsl-util.ts';
import type { KernelWriter } from '../wgsl.ts';
import { requireEpilogueShape, storeRoot, unflatten, type Template } from './template.ts';

function operandBatch(shape: readonly number[], outBatch: readonly string[]): string[] {
  const rank = shape.length - 2;
  const lead = outBatch.length - rank;
  return shape.slice(0, rank).map((d, i) => (d === 1 ? '0u' : outBatch[lead + i]));
}

/**
 * Per-thread vectors (the query row, the output accumulator). Head sizes up to 64 live in
 * unrolled scalar registers; larger ones in private arrays walked by loops.
 */
class Vectors {
  constructor(
    private readonly w: KernelWriter,
    readonly unroll: boolean,
  ) {}

  at(name: string, c: number | 'c'): string {
    return this.unroll ? `${name}_${c}` : `${name}[${c}]`;
  }

  declare(name: string, n: number): void {
    if (this.unroll) for (let c = 0; c < n; c++) this.w.line(`var ${name}_${c} = 0.0f;`);
    else this.w.line(`var ${name}: array<f32, ${n}>;`);
  }

  /** One statement per element: `f(c, cu)` with c the element and cu its WGSL index. */
  each(n: number, f: (c: number | 'c', cu: string) => string): void {
    if (this.unroll) for (let c = 0; c < n; c++) this.w.line(f(c, `${c}u`));
    else this.w.line(`for (var c = 0u; c < ${n}u; c++) { ${f('c', 'c')} }`);
  }
}

interface Geometry {
  d: number;
  dv: number;
  lk: number;
  tk: number;
  queries: number;
}

/** Emits a cooperative copy of rows [kb, kb+tk) of a [.., L, width] operand into `tile`. */
function stageBlock(w: KernelWriter, tile: string, node: Node, batch: string[], width: number, g: Geometry): void {
  w.block(`for (var e = lid.x; e < ${g.tk * width}u; e += ${g.queries}u)`, () => {
    const r = w.let(`kb + e / ${width}u`, 'key'),
      c = w.let(`e % ${width}u`, 'col');
    w.line('var t = 0.0f;');
    w.block(`if (${r} < ${g.lk}u)`, () => w.line(`t = ${w.value(node, [...batch, r, c])};`));
    w.line(`${tile}[e] = t;`);
  });
}

/** Scores the thread's query against the staged block and folds it into (m, l, o). */
function foldBlock(w: KernelWriter, vec: Vectors, g: Geometry): void {
  w.line(`let cnt = min(${g.tk}u, ${g.lk}u - kb);`);
  w.line('var bmax = -3.0e38f;');
  w.block('for (var t = 0u; t < cnt; t++)', () => {
    w.line('var dot = 0.0f;');
    vec.each(g.d, (c, cu) => `dot = fma(${vec.at('qv', c)}, tileK[t * ${g.d}u + ${cu}], dot);`);
    w.line('s[t] = dot;');
    w.line('bmax = max(bmax, dot);');
  });
  w.line('let mnew = max(m, bmax);');
  w.line('let corr = exp(m - mnew);');
  w.line('l = l * corr;');
  vec.each(g.dv, (c) => `${vec.at('o', c)} = ${vec.at('o', c)} * corr;`);
  w.block('for (var t = 0u; t < cnt; t++)', () => {
    w.line('let p = exp(s[t] - mnew);');
    w.line('l = l + p;');
    vec.each(g.dv, (c, cu) => `${vec.at('o', c)} = fma(p, tileV[t * ${g.dv}u + ${cu}], ${vec.at('o', c)});`);
  });
  w.line('m = mnew;');
}

export const attentionTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
  const [q, k, v] = args.anchor!.inputs;
  const qs = staticShape(q),
    ks = staticShape(k),
    vs = staticShape(v);
  const batchShape = staticShape(args.anchor!).slice(0, -2);
  const [lq, d] = qs.slice(-2),
    lk = ks[ks.length - 2],
    dv = vs[vs.length - 1];
  const scale = (args.anchor!.attrs.scale as number) || 1 / Math.sqrt(d);
  const tk = Math.max(1, Math.min(64, lk, Math.floor((caps.maxComputeWorkgroupStorageSize / 4 - 64) / (d + dv))));
  // Queries per workgroup: 64 fills a GPU's SIMD groups; on a CPU, fewer barrier participants win.
  const g: Geometry = { d, dv, lk, tk, queries: caps.software ? 16 : 64 };
  const vec = new Vectors(w, d <= 64 && dv <= 64);
  w.shared.push(`var<workgroup> tileK: array<f32, ${tk * d}>;`, `var<workgroup> tileV: array<f32, ${tk * dv}>;`);
  const batch = unflatten(w, 'wid.y', batchShape);
  w.line(`let qi = wid.x * ${g.queries}u + lid.x;`);
  w.line(`let live = qi < ${lq}u;`);
  vec.declare('qv', d);
  vec.declare('o', dv);
  w.line(`var s: array<f32, ${tk}>;`);
  w.line('var m = -3.0e38f;');
  w.line('var l = 0.0f;');
  const qb = operandBatch(qs, batch);
  w.block('if (live)', () => {
    if (vec.unroll) for (let c = 0; c < d; c++) w.line(`${vec.at('qv', c)} = ${w.value(q, [...qb, 'qi', `${c}u`])} * ${lit(scale, 'f32')};`);
    else w.block(`for (var c = 0u; c < ${d}u; c++)`, () => w.line(`qv[c] = ${w.value(q, [...qb, 'qi', 'c'])} * ${lit(scale, 'f32')};`));
  });
  w.block(`for (var kb = 0u; kb < ${lk}u; kb += ${tk}u)`, () => {
    stageBlock(w, 'tileK', k, operandBatch(ks, batch), d, g);
    stageBlock(w, 'tileV', v, operandBatch(vs, batch), dv, g);
    w.line('workgroupBarrier();');
    w.block('if (live)', () => foldBlock(w, vec, g));
    w.line('workgroupBarrier();');
  });
  // One copy of the epilogue in a loop (unrolled, it would bloat compile times on LLVM drivers).
  if (vec.unroll) {
    w.line(`var out_o: array<f32, ${dv}>;`);
    for (let c = 0; c < dv; c++) w.line(`out_o[${c}] = ${vec.at('o', c)};`);
  }
  w.block('if (live)', () => {
    w.block(`for (var c = 0u; c < ${dv}u; c++)`, () => storeRoot(w, args, [...batch, 'qi', 'c'], w.let(`${vec.unroll ? 'out_o' : 'o'}[c] / l`, 'y')));
  });
  const batchCount = numel(batchShape);
  return {
    workgroupSize: g.queries,
    workgroups: [Math.ceil(lq / g.queries), batchCount, 1],
    params: { tk, queries: g.queries },
    flops: 2 * batchCount * lq * lk * (d + dv),
  };
};
