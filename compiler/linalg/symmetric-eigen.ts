/**
 * Eigendecomposition of a real symmetric matrix A = V·diag(λ)·Vᵀ by the cyclic Jacobi method
 * (Jacobi 1846; Golub & Van Loan, "Matrix Computations", 4th ed., §8.5.2–8.5.3): each sweep zeroes
 * every off-diagonal pair (p, q) in turn with the rotation whose angle solves the 2×2 symmetric
 * eigenproblem, t = sign(θ)/(|θ| + √(1 + θ²)), θ = (a_qq − a_pp)/(2a_pq), which keeps |angle| ≤ π/4
 * (the choice that makes the method converge quadratically). Sweeps stop when the off-diagonal
 * Frobenius norm is below 1e-14 of the whole norm. All in float64; about 4n³ flops per sweep, and
 * 6–10 sweeps for n ≤ a few hundred. Also the PSD square root V·diag(√max(λ, 0))·Vᵀ.
 */
import { matrix, type Matrix } from './matrix.ts';

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  readonly values: Float64Array;
  /** n×n; column j is the unit eigenvector of values[j]. */
  readonly vectors: Matrix;
  readonly sweeps: number;
}

const MAX_SWEEPS = 60;
const TOLERANCE = 1e-14;

function offDiagonalNorm(a: Float64Array, n: number): { off: number; all: number } {
  let off = 0,
    all = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const v = a[i * n + j] * a[i * n + j];
      all += v;
      if (i !== j) off += v;
    }
  return { off: Math.sqrt(off), all: Math.sqrt(all) };
}

/** Applies the rotation (c, s) of the pair (p, q) to A from both sides and to V from the right. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p],
      akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k],
      aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p],
      vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

/** The eigenvalues and eigenvectors of the symmetric matrix `m` (only its symmetric part is used). */
export function symmetricEigen(m: Matrix): SymmetricEigen {
  const n = m.rows;
  if (m.cols !== n) throw new RangeError(`symmetricEigen: ${m.rows}x${m.cols} is not square`);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (m.data[i * n + j] + m.data[j * n + i]);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let sweeps = 0;
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    const { off, all } = offDiagonalNorm(a, n);
    if (off <= TOLERANCE * all || all === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
        const c = 1 / Math.sqrt(1 + t * t);
        rotate(a, v, n, p, q, c, t * c);
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = matrix(n, n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors.data[k * n + dst] = v[k * n + src];
  });
  return { values, vectors, sweeps };
}

/** V·diag(√max(λ, 0))·Vᵀ: the PSD square root (negative eigenvalues from rounding are clipped to 0). */
export function sqrtPsd(m: Matrix): Matrix {
  const { values, vectors } = symmetricEigen(m);
  const n = m.rows;
  const out = matrix(n, n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(values[k], 0));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors.data[i * n + k] * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out.data[i * n + j] += vik * vectors.data[j * n + k];
    }
  }
  return out;
}
