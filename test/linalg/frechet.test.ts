// The quality metric's math (compiler/linalg): the Jacobi eigendecomposition against constructed
// spectra, the Fréchet distance against its closed forms (1-D, commuting and rotated covariances, the
// 2×2 trace-of-square-root identity for non-commuting ones), and k-NN precision/recall on point sets
// whose answers can be counted by hand.
import { describe, expect, it } from 'vitest';
import { fitGaussian, frechetDistance, traceSqrtProduct, type Gaussian } from '../../compiler/linalg/frechet.ts';
import { kthNeighbourRadii, precisionRecall } from '../../compiler/linalg/knn-precision-recall.ts';
import { matmul, matrix, transpose, type Matrix } from '../../compiler/linalg/matrix.ts';
import { sqrtPsd, symmetricEigen } from '../../compiler/linalg/symmetric-eigen.ts';

/** An orthogonal n×n matrix: a product of Givens rotations with fixed angles. */
function rotation(n: number): Matrix {
  let q = matrix(n, n);
  for (let i = 0; i < n; i++) q.data[i * n + i] = 1;
  for (let p = 0; p < n - 1; p++) {
    const g = matrix(n, n);
    for (let i = 0; i < n; i++) g.data[i * n + i] = 1;
    const a = 0.3 + 0.7 * p;
    g.data[p * n + p] = Math.cos(a);
    g.data[p * n + p + 1] = -Math.sin(a);
    g.data[(p + 1) * n + p] = Math.sin(a);
    g.data[(p + 1) * n + p + 1] = Math.cos(a);
    q = matmul(q, g);
  }
  return q;
}

/** Q·diag(d)·Qᵀ. */
const withSpectrum = (q: Matrix, d: readonly number[]): Matrix => {
  const n = d.length;
  const qd = matrix(n, n, q.data);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) qd.data[i * n + j] *= d[j];
  return matmul(qd, transpose(q));
};

const gaussian = (mean: readonly number[], cov: Matrix): Gaussian => ({ mean: Float64Array.from(mean), cov });
const maxAbsDiff = (a: Matrix, b: Matrix): number => Math.max(...Array.from(a.data, (v, i) => Math.abs(v - b.data[i])));

describe('symmetric eigendecomposition (Jacobi)', () => {
  it('recovers a constructed spectrum and orthonormal eigenvectors', () => {
    const spectrum = [9, 4, 2.5, 1, 0.25, 0.01];
    const a = withSpectrum(rotation(6), spectrum);
    const e = symmetricEigen(a);
    spectrum.forEach((l, i) => expect(e.values[i]).toBeCloseTo(l, 12));
    const vtv = matmul(transpose(e.vectors), e.vectors);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(vtv.data[i * 6 + j]).toBeCloseTo(i === j ? 1 : 0, 12);
    expect(maxAbsDiff(withSpectrum(e.vectors, Array.from(e.values)), a)).toBeLessThan(1e-12);
  });

  it('gives the PSD square root, clipping a zero eigenvalue', () => {
    const a = withSpectrum(rotation(5), [16, 9, 4, 1, 0]);
    const r = sqrtPsd(a);
    expect(maxAbsDiff(matmul(r, r), a)).toBeLessThan(1e-12);
    expect(maxAbsDiff(r, withSpectrum(rotation(5), [4, 3, 2, 1, 0]))).toBeLessThan(1e-7);
  });
});

describe('Fréchet distance', () => {
  it('is 0 for a set against itself', () => {
    const x = Float64Array.from({ length: 200 * 4 }, (_, i) => Math.sin(1.7 * i) + (i % 4) * Math.cos(0.3 * i));
    const g = fitGaussian(x, 200, 4);
    expect(frechetDistance(g, g)).toBeLessThan(1e-10);
  });

  it('is (μ1 − μ2)² + (σ1 − σ2)² in one dimension', () => {
    const fd = frechetDistance(gaussian([1], matrix(1, 1, [4])), gaussian([-2], matrix(1, 1, [0.25])));
    expect(fd).toBeCloseTo(9 + (2 - 0.5) ** 2, 12);
  });

  it('is |Δμ|² + Σ(√a − √b)² for commuting covariances, diagonal or rotated alike', () => {
    const a = [4, 1, 0.5, 9],
      b = [1, 1, 2, 0.04];
    const expected = 1 + 4 + a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0);
    const diag = (d: readonly number[]) => withSpectrum(matrix(4, 4, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]), d);
    expect(frechetDistance(gaussian([1, 0, 2, 0], diag(a)), gaussian([0, 0, 0, 0], diag(b)))).toBeCloseTo(expected, 10);
    const q = rotation(4);
    expect(frechetDistance(gaussian([1, 0, 2, 0], withSpectrum(q, a)), gaussian([0, 0, 0, 0], withSpectrum(q, b)))).toBeCloseTo(expected, 10);
  });

  it('uses tr((Σ1Σ2)^½) = √(tr(Σ1Σ2) + 2√(det Σ1·det Σ2)) for non-commuting 2×2 covariances', () => {
    const s1 = matrix(2, 2, [2, 0.6, 0.6, 1]);
    const s2 = matrix(2, 2, [0.5, -0.3, -0.3, 3]);
    const p = matmul(s1, s2);
    const det = (m: Matrix) => m.data[0] * m.data[3] - m.data[1] * m.data[2];
    const closed = Math.sqrt(p.data[0] + p.data[3] + 2 * Math.sqrt(det(s1) * det(s2)));
    expect(traceSqrtProduct(s1, s2)).toBeCloseTo(closed, 12);
    expect(traceSqrtProduct(s2, s1)).toBeCloseTo(closed, 12);
    expect(frechetDistance(gaussian([0, 0], s1), gaussian([0, 0], s2))).toBeCloseTo(2 + 1 + 0.5 + 3 - 2 * closed, 12);
  });

  it('grows with a mean shift exactly by |Δμ|² and fits unbiased covariances', () => {
    const x = Float64Array.from([0, 0, 2, 0, 0, 2, 2, 2]);
    const g = fitGaussian(x, 4, 2);
    expect(Array.from(g.mean)).toEqual([1, 1]);
    expect(Array.from(g.cov.data)).toEqual([4 / 3, 0, 0, 4 / 3]);
    const shifted = { mean: Float64Array.from([4, -3]), cov: g.cov };
    expect(frechetDistance(g, shifted)).toBeCloseTo(9 + 16, 10);
  });
});

describe('k-NN precision and recall', () => {
  // points on the x axis of the plane
  const line = (xs: readonly number[]) => ({ data: xs.flatMap((x) => [x, 0]), count: xs.length, dim: 2 });
  const real = line([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('takes the distance to the k-th neighbour, the point itself excluded', () => {
    const r = kthNeighbourRadii(real, 3);
    expect(Math.sqrt(r[0])).toBeCloseTo(3, 12);
    expect(Math.sqrt(r[5])).toBeCloseTo(2, 12);
    expect(Math.sqrt(kthNeighbourRadii(real, 1)[5])).toBeCloseTo(1, 12);
  });

  it('is 1 and 1 for identical sets and 0 and 0 for distant ones', () => {
    expect(precisionRecall(real, real)).toEqual({ precision: 1, recall: 1 });
    expect(precisionRecall(real, line([100, 101, 102, 103, 104]))).toEqual({ precision: 0, recall: 0 });
  });

  it('counts half the generated points inside and 7 of 10 real points covered', () => {
    // generated: 0..3 (inside the real balls) and 100..103 (outside); the 0..3 balls (radii 3, 2, 2, 3) cover real 0..6
    const pr = precisionRecall(real, line([0, 1, 2, 3, 100, 101, 102, 103]));
    expect(pr.precision).toBe(0.5);
    expect(pr.recall).toBe(0.7);
  });
});
