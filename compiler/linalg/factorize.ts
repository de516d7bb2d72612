/**
 * Low-rank factorisation of a weight matrix W (m×n, y = x·W) into A (m×r) · B (r×n).
 *
 * Plain mode: truncated SVD, the best rank-r approximation in Frobenius norm (Eckart–Young 1936).
 * Whitened mode (activation-aware): minimises ‖X·W − X·A·B‖_F over calibration inputs X instead.
 * With the input Gram matrix G = XᵀX = L·Lᵀ, ‖X·E‖_F = ‖Lᵀ·E‖_F, so the SVD of Lᵀ·W is truncated
 * and mapped back with L⁻ᵀ (the whitening of SVD-LLM, Wang et al. 2024, arXiv 2403.07378).
 * Singular values are split as √s on both factors so the two layers have balanced scales.
 */
import { matrix, matmul, type Matrix } from './matrix.ts';
import { svd, type Svd } from './svd.ts';

export interface Factors {
  readonly a: Matrix;
  readonly b: Matrix;
}

/**
 * Lower-triangular L with L·Lᵀ = G + δ·I. δ starts at `jitter`·mean(diag G) and grows tenfold until
 * the factorisation succeeds, so rank-deficient calibration statistics (fewer samples than inputs)
 * still give a usable whitening.
 */
export function cholesky(g: Matrix, jitter = 1e-6): Matrix {
  if (g.rows !== g.cols) throw new RangeError(`cholesky: ${g.rows}x${g.cols} is not square`);
  const n = g.rows;
  let trace = 0;
  for (let i = 0; i < n; i++) trace += g.data[i * n + i];
  const scale = trace > 0 ? trace / n : 1;
  for (let delta = jitter * scale, tries = 0; tries < 12; delta *= 10, tries++) {
    const l = tryCholesky(g, delta);
    if (l) return l;
  }
  throw new RangeError('cholesky: matrix is not positive semi-definite');
}

function tryCholesky(g: Matrix, delta: number): Matrix | undefined {
  const n = g.rows;
  const l = matrix(n, n);
  for (let j = 0; j < n; j++) {
    let d = g.data[j * n + j] + delta;
    for (let k = 0; k < j; k++) d -= l.data[j * n + k] ** 2;
    if (!(d > 0)) return undefined;
    const ljj = Math.sqrt(d);
    l.data[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = g.data[i * n + j];
      for (let k = 0; k < j; k++) s -= l.data[i * n + k] * l.data[j * n + k];
      l.data[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** Lᵀ·W for lower-triangular L. */
function lowerTransposeTimes(l: Matrix, w: Matrix): Matrix {
  const n = l.rows,
    c = w.cols;
  const out = matrix(n, c);
  for (let i = 0; i < n; i++) {
    for (let k = i; k < n; k++) {
      const lki = l.data[k * n + i];
      if (lki === 0) continue;
      for (let j = 0; j < c; j++) out.data[i * c + j] += lki * w.data[k * c + j];
    }
  }
  return out;
}

/** Solves Lᵀ·X = Y (Lᵀ upper triangular) by back substitution. */
function solveLowerTranspose(l: Matrix, y: Matrix): Matrix {
  const n = l.rows,
    c = y.cols;
  const x = matrix(n, c, y.data);
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l.data[k * n + i];
      if (lki === 0) continue;
      for (let j = 0; j < c; j++) x.data[i * c + j] -= lki * x.data[k * c + j];
    }
    const d = l.data[i * n + i];
    for (let j = 0; j < c; j++) x.data[i * c + j] /= d;
  }
  return x;
}

/** A = U_r·√S_r and B = √S_r·V_rᵀ from a decomposition. */
function splitFactors(dec: Svd, rank: number): Factors {
  const m = dec.u.rows,
    n = dec.v.rows,
    k = dec.s.length;
  if (rank < 1 || rank > k) throw new RangeError(`rank ${rank} outside 1..${k}`);
  const a = matrix(m, rank),
    b = matrix(rank, n);
  for (let j = 0; j < rank; j++) {
    const root = Math.sqrt(dec.s[j]);
    for (let i = 0; i < m; i++) a.data[i * rank + j] = dec.u.data[i * k + j] * root;
    for (let i = 0; i < n; i++) b.data[j * n + i] = dec.v.data[i * k + j] * root;
  }
  return { a, b };
}

/** The decomposition the rank is chosen on: SVD of W, or of Lᵀ·W when whitened. */
export interface Spectrum {
  readonly dec: Svd;
  /** Present in whitened mode: the Cholesky factor of the input Gram matrix. */
  readonly whitener?: Matrix;
}

export function spectrum(w: Matrix, inputGram?: Matrix): Spectrum {
  if (!inputGram) return { dec: svd(w) };
  if (inputGram.rows !== w.rows || inputGram.cols !== w.rows) {
    throw new RangeError(`input Gram matrix is ${inputGram.rows}x${inputGram.cols}, weight has ${w.rows} inputs`);
  }
  const l = cholesky(inputGram);
  return { dec: svd(lowerTransposeTimes(l, w)), whitener: l };
}

/** Rank-r factors of W from its spectrum (mapping back through L⁻ᵀ when whitened). */
export function factorsAt(sp: Spectrum, rank: number): Factors {
  const f = splitFactors(sp.dec, rank);
  return sp.whitener ? { a: solveLowerTranspose(sp.whitener, f.a), b: f.b } : f;
}

/** A·B, for error measurement. */
export function reconstruct(f: Factors): Matrix {
  return matmul(f.a, f.b);
}

/** Smallest r whose leading singular values hold `energy` of Σ s² (0 < energy <= 1). */
export function rankForEnergy(s: Float64Array, energy: number): number {
  let total = 0;
  for (const x of s) total += x * x;
  if (total === 0) return 1;
  let acc = 0;
  for (let r = 0; r < s.length; r++) {
    acc += s[r] * s[r];
    if (acc >= energy * total * (1 - 1e-12)) return r + 1;
  }
  return s.length;
}
