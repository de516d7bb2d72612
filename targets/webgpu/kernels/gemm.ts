/**
 * The tiled GEMM skeleton behind the matmul and conv2d templates: C[z][m][n] = Σ_k A[z][m][k]·B[z][k][n].
 * A workgroup of TX×TY threads computes a BM×BN tile; A and B tiles of depth BK are staged in
 * workgroup memory, and each thread keeps a TM×TN block of accumulators in registers (unrolled
 * scalars, so the compiler never spills them to an array). Thread (tx, ty) owns rows ty + i·TY and
 * columns tx + j·TX, so neighbouring threads read neighbouring words of the B tile.
 *
 * The caller supplies how to load A and B elements (any fused producer chain: im2col for conv, or a
 * transposed view) and the epilogue that writes C (any fused elementwise chain). The config is part
 * of the pipeline cache key.
 */
import type { KernelWriter } from '../wgsl.ts';

export interface GemmConfig {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

export interface GemmSpec {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Independent problems along grid z (batch for matmul, groups for conv). */
  readonly z: number;
  /** Which tile index varies fastest across threads when loading (match the memory layout). */
  readonly aFast: 'm' | 'k';
  readonly bFast: 'n' | 'k';
  loadA(w: KernelWriter, z: string, m: string, k: string): string;
  loadB(w: KernelWriter, z: string, k: string, n: string): string;
  /** Emits the write of accumulator `acc` for output (z, m, n); called inside the bounds check. */
  store(w: KernelWriter, z: string, m: string, n: string, acc: string): void;
}

/**
 * The barrier-free variant for CPU adapters: a workgroup of `wg` threads (one SIMD group) with no
 * workgroup memory; each thread accumulates a TM×TN block in registers, reading A and B straight
 * from memory (the CPU caches play the role of the shared tiles). Threads of a workgroup are
 * spread along `lanes` (m or n), so each lane's loads of the other operand are the same address.
 */
export interface DirectConfig {
  readonly wg: number;
  readonly tm: number;
  readonly tn: number;
  readonly lanes: 'm' | 'n';
}

/** Register blocks measured fastest on lavapipe (AVX2): 8 lanes × 16×8 for large problems. */
export function directConfig(m: number, n: number, lanes: 'm' | 'n'): DirectConfig {
  const [along, across] = lanes === 'n' ? [n, m] : [m, n];
  const laneTile = along >= 512 ? 16 : along >= 64 ? 8 : along >= 16 ? 4 : 1;
  const acrossTile = across >= 256 ? 16 : across >= 8 ? 8 : across >= 4 ? 4 : 1;
  const [tm, tn] = lanes === 'n' ? [acrossTile, laneTile] : [laneTile, acrossTile];
  return { wg: 8, tm, tn, lanes };
}

export function emitDirectGemm(w: KernelWriter, spec: GemmSpec, cfg: DirectConfig): [number, number, number] {
  const { wg, tm, tn, lanes } = cfg;
  const [bm, bn] = lanes === 'm' ? [wg * tm, tn] : [tm, wg * tn];
  w.line('let z = wid.z;');
  const rows = Array.from({ length: tm }, (_, i) => (lanes === 'm' ? `wid.y * ${bm}u + lid.x + ${i * wg}u` : `wid.y * ${bm}u + ${i}u`));
  const cols = Array.from({ length: tn }, (_, j) => (lanes === 'n' ? `wid.x * ${bn}u + lid.x + ${j * wg}u` : `wid.x * ${bn}u + ${j}u`));
  // Out-of-range rows/columns compute on a clamped copy and are not stored.
  const m = rows.map((r, i) => w.let(`min(${r}, ${spec.m - 1}u)`, `m${i}_`));
  const n = cols.map((c, j) => w.let(`min(${c}, ${spec.n - 1}u)`, `n${j}_`));
  const acc = (i: number, j: number): string => `acc${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`var ${acc(i, j)} = 0.0f;`);
  w.block(`for (var k = 0u; k < ${spec.k}u; k++)`, () => {
    const a = m.map((mi) => w.let(spec.loadA(w, 'z', mi, 'k'), 'a'));
    const b = n.map((nj) => w.let(spec.loadB(w, 'z', 'k', nj), 'b'));
    for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`${acc(i, j)} = fma(${a[i]}, ${b[j]}, ${acc(i, j)});`);
  });
  emitAccumulatorStores(w, tm, tn, (i, j, a) => {
    const row = lanes === 'm' ? `wid.y * ${bm}u + lid.x + ${i} * ${wg}u` : `wid.y * ${bm}u + ${i}`;
    const col = lanes === 'n' ? `wid.x * ${bn}u + lid.x + ${j} * ${wg}u` : `wid.x * ${bn}u + ${j}`;
    const r = w.let(row, 'row'),
      c = w.let(col, 'col');
    w.block(`if (${r} < ${spec.m}u && ${c} < ${spec.n}u)`, () => spec.store(w, 'z', r, c, a));
  });
  return [Math.ceil(spec.n / bn), Math.ceil(spec.m / bm), spec.z];
}

/**
 * Writes the TM×TN register accumulators `acc{i}_{j}` through one copy of the epilogue inside a
 * loop: unrolling a fused epilogue TM·TN times makes kernels that LLVM-based drivers (lavapipe)
 * take a minute to compile, for no gain at run time (the epilogue runs once per output).
 */
export function emitAccumulatorStores(w: KernelWriter, tm: number, tn: number, store: (i: string, j: string, acc: string) => void): void {
  w.line(`var accs: array<f32, ${tm * tn}>;`);
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`accs[${i * tn + j}] = acc${i}_${j};`);
  w.block(`for (var i = 0u; i < ${tm}u; i++)`, () => {
    w.block(`for (var j = 0u; j < ${tn}u; j++)`, () => store('i', 'j', w.let(`accs[i * ${tn}u + j]`, 'acc')));
  });
}

/** Tile sizes for a problem; small M or N get thinner tiles so fewer threads idle. */
export function gemmConfig(m: number, n: number): GemmConfig {
  const tm = m <= 16 ? 1 : m <= 32 ? 2 : 4;
  const tn = n <= 16 ? 1 : n <= 32 ? 2 : 4;
  return { bm: 16 * tm, bn: 16 * tn, bk: 16, tm, tn };
}

const THREADS = 256;

function emitTileLoad(
  w: KernelWriter,
  tile: string,
  rows: number,
  cols: number,
  fast: 'row' | 'col',
  bound: [string, number, string, number],
  load: (r: string, c: string) => string,
): void {
  // The tile is stored [k][row-or-col] (k-major), `rows` = depth BK, `cols` = BM or BN.
  const total = rows * cols;
  for (let r = 0; r * THREADS < total; r++) {
    w.block('', () => {
      const e = w.let(`lid.x + ${r * THREADS}u`, 'e');
      const [kk, cc] =
        fast === 'col'
          ? [w.let(`${e} / ${cols}u`, 'kk'), w.let(`${e} % ${cols}u`, 'cc')]
          : [w.let(`${e} % ${rows}u`, 'kk'), w.let(`${e} / ${rows}u`, 'cc')];
      const [kBase, kMax, cBase, cMax] = bound;
      const gk = w.let(`${kBase} + ${kk}`, 'gk'),
        gc = w.let(`${cBase} + ${cc}`, 'gc');
      const v = w.fresh('t');
      w.line(`var ${v} = 0.0f;`);
      const guard = total % THREADS === 0 ? '' : `${e} < ${total}u && `;
      w.block(`if (${guard}${gk} < ${kMax}u && ${gc} < ${cMax}u)`, () => {
        w.line(`${v} = ${load(gk, gc)};`);
      });
      const store = `${tile}[${kk} * ${cols}u + ${cc}] = ${v};`;
      if (guard) w.block(`if (${e} < ${total}u)`, () => w.line(store));
      else w.line(store);
    });
  }
}

/** Emits the GEMM body and returns the dispatch size. */
export function emitGemm(w: KernelWriter, spec: GemmSpec, cfg: GemmConfig): [number, number, number] {
  const { bm, bn, bk, tm, tn } = cfg;
  const tx = bn / tn,
    ty = bm / tm;
  if (tx * ty !== THREADS) throw new Error(`gemm config ${JSON.stringify(cfg)} does not use ${THREADS} threads`);
  w.shared.push(`var<workgroup> tileA: array<f32, ${bk * bm}>;`, `var<workgroup> tileB: array<f32, ${bk * bn}>;`);
  w.line(`let tx = lid.x % ${tx}u;`);
  w.line(`let ty = lid.x / ${tx}u;`);
  w.line(`let n0 = wid.x * ${bn}u;`);
  w.line(`let m0 = wid.y * ${bm}u;`);
  w.line('let z = wid.z;');
  const acc = (i: number, j: number): string => `acc${i}_${j}`;
  for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`var ${acc(i, j)} = 0.0f;`);
  w.block(`for (var k0 = 0u; k0 < ${spec.k}u; k0 += ${bk}u)`, () => {
    emitTileLoad(w, 'tileA', bk, bm, spec.aFast === 'm' ? 'col' : 'row', ['k0', spec.k, 'm0', spec.m], (k, m) => spec.loadA(w, 'z', m, k));
    emitTileLoad(w, 'tileB', bk, bn, spec.bFast === 'n' ? 'col' : 'row', ['k0', spec.k, 'n0', spec.n], (k, n) => spec.loadB(w, 'z', k, n));
    w.line('workgroupBarrier();');
    w.block(`for (var kk = 0u; kk < ${bk}u; kk++)`, () => {
      for (let i = 0; i < tm; i++) w.line(`let a${i} = tileA[kk * ${bm}u + ty + ${i * ty}u];`);
      for (let j = 0; j < tn; j++) w.line(`let b${j} = tileB[kk * ${bn}u + tx + ${j * tx}u];`);
      for (let i = 0; i < tm; i++) for (let j = 0; j < tn; j++) w.line(`${acc(i, j)} = fma(a${i}, b${j}, ${acc(i, j)});`);
    });
    w.line('workgroupBarrier();');
  });
  emitAccumulatorStores(w, tm, tn, (i, j, a) => {
    const m = w.let(`m0 + ty + ${i} * ${ty}u`, 'm'),
      n = w.let(`n0 + tx + ${j} * ${tx}u`, 'n');
    w.block(`if (${m} < ${spec.m}u && ${n} < ${spec.n}u)`, () => spec.store(w, 'z', m, n, a));
  });
  return [Math.ceil(spec.n / bn), Math.ceil(spec.m / bm), spec.z];
}
