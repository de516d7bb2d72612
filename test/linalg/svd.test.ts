// SVD and factorisation tests against matrices with known decompositions built in the test itself.
import { describe, expect, it } from 'vitest';
import { gram, matmul, matrix, transpose, type Matrix } from '../../compiler/linalg/matrix.ts';
import { svd } from '../../compiler/linalg/svd.ts';
import { cholesky, factorsAt, rankForEnergy, reconstruct, spectrum } from '../../compiler/linalg/factorize.ts';

/** Deterministic uniform(-1, 1) from a 32-bit LCG, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const r = rng(seed);
  return matrix(rows, cols, Array.from({ length: rows * cols }, r));
}

/** Orthogonal n×n as a product of n Householder reflections I − 2vvᵀ/vᵀv. */
function randomOrthogonal(n: number, seed: number): Matrix {
  const r = rng(seed);
  let q = matrix(n, n);
  for (let i = 0; i < n; i++) q.data[i * n + i] = 1;
  for (let k = 0; k < n; k++) {
    const v = Array.from({ length: n }, r);
    const vv = v.reduce((s, x) => s + x * x, 0);
    const h = matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) h.data[i * n + j] = (i === j ? 1 : 0) - (2 * v[i] * v[j]) / vv;
    q = matmul(q, h);
  }
  return q;
}

/** Q1[:, :k] · diag(s) · Q2[:, :k]ᵀ, an m×n matrix whose singular values are exactly s. */
function withSingularValues(m: number, n: number, s: number[], seed: number): Matrix {
  const q1 = randomOrthogonal(m, seed),
    q2 = randomOrthogonal(n, seed + 1);
  const out = matrix(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let x = 0;
      for (let k = 0; k < s.length; k++) x += q1.data[i * m + k] * s[k] * q2.data[j * n + k];
      out.data[i * n + j] = x;
    }
  }
  return out;
}

function maxAbsDiff(a: Matrix, b: Matrix): number {
  return a.data.reduce((m, x, i) => Math.max(m, Math.abs(x - b.data[i])), 0);
}

function usv(u: Matrix, s: Float64Array, v: Matrix): Matrix {
  const us = matrix(u.rows, u.cols, u.data);
  for (let i = 0; i < u.rows; i++) for (let j = 0; j < u.cols; j++) us.data[i * u.cols + j] *= s[j];
  return matmul(us, transpose(v));
}

function expectOrthonormalColumns(q: Matrix, tol = 1e-12): void {
  const g = gram(q);
  for (let i = 0; i < g.rows; i++) {
    for (let j = 0; j < g.cols; j++) expect(Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0))).toBeLessThan(tol);
  }
}

describe('svd', () => {
  it('finds the singular values of [[3,0],[4,5]] (eigenvalues 45 and 5 of AᵀA)', () => {
    const d = svd(matrix(2, 2, [3, 0, 4, 5]));
    expect(d.s[0]).toBeCloseTo(Math.sqrt(45), 13);
    expect(d.s[1]).toBeCloseTo(Math.sqrt(5), 13);
  });

  it('recovers prescribed singular values of a tall matrix and reconstructs it', () => {
    const s = [9, 4, 2.5, 1, 0.25, 1e-3];
    const a = withSingularValues(10, 6, s, 7);
    const d = svd(a);
    s.forEach((x, i) => expect(d.s[i]).toBeCloseTo(x, 12));
    expect(maxAbsDiff(usv(d.u, d.s, d.v), a)).toBeLessThan(1e-12);
    expectOrthonormalColumns(d.u);
    expectOrthonormalColumns(d.v);
  });

  it('handles wide matrices by decomposing the transpose', () => {
    const a = randomMatrix(3, 8, 3);
    const d = svd(a);
    expect(d.u.rows).toBe(3);
    expect(d.v.rows).toBe(8);
    expect(d.s.length).toBe(3);
    expect(maxAbsDiff(usv(d.u, d.s, d.v), a)).toBeLessThan(1e-12);
    expectOrthonormalColumns(d.u);
    expectOrthonormalColumns(d.v);
  });

  it('keeps U orthonormal when the matrix is rank deficient', () => {
    const a = withSingularValues(7, 5, [3, 2], 11);
    const d = svd(a);
    expect(d.s[0]).toBeCloseTo(3, 12);
    expect(d.s[1]).toBeCloseTo(2, 12);
    for (let i = 2; i < 5; i++) expect(d.s[i]).toBeLessThan(1e-12);
    expectOrthonormalColumns(d.u);
    expect(maxAbsDiff(usv(d.u, d.s, d.v), a)).toBeLessThan(1e-12);
  });

  it('returns zeros and orthonormal factors for the zero matrix', () => {
    const d = svd(matrix(4, 3));
    expect([...d.s]).toEqual([0, 0, 0]);
    expectOrthonormalColumns(d.u);
    expectOrthonormalColumns(d.v);
  });

  it('sorts singular values in descending order on random input', () => {
    const d = svd(randomMatrix(20, 12, 5));
    for (let i = 1; i < d.s.length; i++) expect(d.s[i]).toBeLessThanOrEqual(d.s[i - 1]);
    // Σ s² equals ‖A‖_F² (orthogonal invariance), computed here without the SVD.
    const a = randomMatrix(20, 12, 5);
    const fro2 = a.data.reduce((t, x) => t + x * x, 0);
    expect(d.s.reduce((t, x) => t + x * x, 0)).toBeCloseTo(fro2, 10);
  });
});

describe('low-rank factors', () => {
  it('gives the Eckart–Young error: ‖W − A·B‖_F² is the sum of the dropped s²', () => {
    const s = [5, 3, 2, 1, 0.5];
    const w = withSingularValues(8, 5, s, 21);
    const f = factorsAt(spectrum(w), 2);
    expect(f.a.rows).toBe(8);
    expect(f.a.cols).toBe(2);
    expect(f.b.rows).toBe(2);
    expect(f.b.cols).toBe(5);
    const err = reconstruct(f).data.reduce((t, x, i) => t + (x - w.data[i]) ** 2, 0);
    expect(err).toBeCloseTo(2 * 2 + 1 + 0.25, 10);
  });

  it('whitening minimises the error on the calibration inputs, not on the weights', () => {
    // X = Q·D has Gram D², and D·W has singular values s exactly when W = D⁻¹·(Q1 S Q2ᵀ).
    const n = 6,
      d = [4, 2, 1, 0.5, 0.25, 0.125],
      s = [3, 2, 1, 0.5, 0.1, 0.05];
    const core = withSingularValues(n, 4, s.slice(0, 4), 31);
    const w = matrix(
      n,
      4,
      core.data.map((x, i) => x / d[Math.floor(i / 4)]),
    );
    const q = randomOrthogonal(12, 33);
    const x = matrix(12, n);
    for (let i = 0; i < 12; i++) for (let j = 0; j < n; j++) x.data[i * n + j] = q.data[i * 12 + j] * d[j];
    const inputErr = (a: Matrix): number => {
      const e = matmul(x, a).data.map((v, i) => v - matmul(x, w).data[i]);
      return Math.sqrt(e.reduce((t, v) => t + v * v, 0));
    };
    const white = reconstruct(factorsAt(spectrum(w, gram(x)), 2));
    const plain = reconstruct(factorsAt(spectrum(w), 2));
    expect(inputErr(white)).toBeCloseTo(Math.hypot(1, 0.5), 5);
    expect(inputErr(plain)).toBeGreaterThan(inputErr(white) * 1.05);
  });

  it('factors a symmetric positive definite matrix exactly by Cholesky', () => {
    const b = randomMatrix(9, 5, 41);
    const g = gram(b);
    const l = cholesky(g, 0);
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) expect(l.data[i * 5 + j]).toBe(0);
    expect(maxAbsDiff(matmul(l, transpose(l)), g)).toBeLessThan(1e-12);
  });

  it('regularises a singular Gram matrix instead of failing', () => {
    const g = gram(randomMatrix(2, 5, 43));
    const l = cholesky(g);
    expect(maxAbsDiff(matmul(l, transpose(l)), g)).toBeLessThan(1e-3);
  });

  it('picks the smallest rank holding the requested energy', () => {
    const s = Float64Array.from([3, 2, 1]); // energies 9, 4, 1 of 14
    expect(rankForEnergy(s, 9 / 14)).toBe(1);
    expect(rankForEnergy(s, 0.65)).toBe(2);
    expect(rankForEnergy(s, 13 / 14)).toBe(2);
    expect(rankForEnergy(s, 0.99)).toBe(3);
  });
});
