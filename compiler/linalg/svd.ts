/**
 * Thin singular value decomposition A = U·diag(s)·Vᵀ by one-sided Jacobi (Hestenes 1958; see
 * Demmel & Veselić 1992, "Jacobi's method is more accurate than QR", for the convergence test).
 *
 * Columns of A are rotated pairwise until all are mutually orthogonal; their norms are then the
 * singular values, the normalised columns U, and the accumulated rotations V. Accurate to a few ulps
 * relative to ‖A‖ even for tiny singular values, which the low-rank pass needs to rank layers.
 * Cost per sweep is about 3·m·n² flops; 6–10 sweeps are typical.
 */
import { matrix, type Matrix } from './matrix.ts';

export interface Svd {
  /** m×k with orthonormal columns, k = min(m, n). */
  readonly u: Matrix;
  /** k singular values, descending, non-negative. */
  readonly s: Float64Array;
  /** n×k with orthonormal columns. */
  readonly v: Matrix;
  /** Jacobi sweeps used (for tests and stats). */
  readonly sweeps: number;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 80;

export function svd(a: Matrix): Svd {
  if (a.rows < a.cols) {
    const t = svdTall(transposeToColumns(a, true), a.cols, a.rows);
    return { u: t.v, s: t.s, v: t.u, sweeps: t.sweeps };
  }
  return svdTall(transposeToColumns(a, false), a.rows, a.cols);
}

/** Columns of a (or of aᵀ) as separate contiguous arrays, the layout Jacobi rotations want. */
function transposeToColumns(a: Matrix, transposed: boolean): Float64Array[] {
  const [m, n] = transposed ? [a.cols, a.rows] : [a.rows, a.cols];
  const cols = Array.from({ length: n }, () => new Float64Array(m));
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const x = a.data[i * a.cols + j];
      if (transposed) cols[i][j] = x;
      else cols[j][i] = x;
    }
  }
  return cols;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** Applies the plane rotation [c s; -s c] to columns p and q in place. */
function rotate(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i],
      yi = y[i];
    x[i] = c * xi - s * yi;
    y[i] = s * xi + c * yi;
  }
}

/** One-sided Jacobi on m×n with m >= n; `cols` is overwritten with U·diag(s). */
function svdTall(cols: Float64Array[], m: number, n: number): Svd {
  const vcols = Array.from({ length: n }, (_, j) => {
    const v = new Float64Array(n);
    v[j] = 1;
    return v;
  });
  const norms = cols.map((c) => dot(c, c));
  const tol = Math.max(m, 1) * EPS;
  let sweeps = 0;
  for (let rotated = true; rotated && sweeps < MAX_SWEEPS; sweeps++) {
    rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const alpha = norms[p],
          beta = norms[q];
        if (alpha === 0 || beta === 0) continue;
        const gamma = dot(cols[p], cols[q]);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t),
          s = c * t;
        rotate(cols[p], cols[q], c, s);
        rotate(vcols[p], vcols[q], c, s);
        // Recomputing instead of updating keeps the norms from drifting over many rotations.
        norms[p] = dot(cols[p], cols[p]);
        norms[q] = dot(cols[q], cols[q]);
      }
    }
  }
  return assemble(cols, vcols, m, n, sweeps);
}

/** Sorts by singular value, normalises U and completes null columns to an orthonormal set. */
function assemble(cols: Float64Array[], vcols: Float64Array[], m: number, n: number, sweeps: number): Svd {
  const sv = cols.map((c) => Math.sqrt(dot(c, c)));
  const order = sv.map((_, j) => j).sort((i, j) => sv[j] - sv[i]);
  const smax = order.length ? sv[order[0]] : 0;
  const negligible = smax * n * EPS;
  const ucols: Float64Array[] = [];
  const s = new Float64Array(n);
  order.forEach((j, k) => {
    s[k] = sv[j];
    ucols.push(sv[j] > negligible ? cols[j].map((x) => x / sv[j]) : new Float64Array(m));
  });
  completeBasis(ucols, s, negligible);
  const u = matrix(m, n),
    v = matrix(n, n);
  order.forEach((j, k) => {
    for (let i = 0; i < m; i++) u.data[i * n + k] = ucols[k][i];
    for (let i = 0; i < n; i++) v.data[i * n + k] = vcols[j][i];
  });
  return { u, s, v, sweeps };
}

/**
 * Columns for zero singular values carry no direction of A; fill them with unit vectors orthogonal
 * to the others (Gram–Schmidt on the standard basis, twice for stability) so U stays orthonormal.
 */
function completeBasis(ucols: Float64Array[], s: Float64Array, negligible: number): void {
  const m = ucols.length ? ucols[0].length : 0;
  let candidate = 0;
  for (let k = 0; k < ucols.length; k++) {
    if (s[k] > negligible) continue;
    for (; candidate < m; candidate++) {
      const e = new Float64Array(m);
      e[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < ucols.length; j++) {
          if (j === k) continue;
          const d = dot(e, ucols[j]);
          for (let i = 0; i < m; i++) e[i] -= d * ucols[j][i];
        }
      }
      const norm = Math.sqrt(dot(e, e));
      if (norm > 0.5) {
        ucols[k] = e.map((x) => x / norm);
        candidate++;
        break;
      }
    }
  }
}
