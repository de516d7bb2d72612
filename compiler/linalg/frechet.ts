/**
 * The Fréchet distance between two Gaussians fitted to feature sets, the FID recipe (Heusel et al.
 * 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium", Eq. 6;
 * Dowson & Landau 1982 for the closed form):
 *
 *   FD = |μ1 − μ2|² + tr(Σ1) + tr(Σ2) − 2·tr((Σ1 Σ2)^{1/2})
 *
 * The trace of the square root is computed without a non-symmetric square root: Σ1 Σ2 is similar to
 * the symmetric PSD matrix M = Σ1^{1/2} Σ2 Σ1^{1/2} (Σ1 Σ2 = Σ1^{1/2} M Σ1^{-1/2} when Σ1 is
 * invertible, and by continuity otherwise), so tr((Σ1 Σ2)^{1/2}) = Σ_i √λ_i(M), with Σ1^{1/2} and
 * the eigenvalues of M from the Jacobi eigendecomposition (symmetric-eigen.ts), all in float64.
 * Eigenvalues below 0 from rounding are clipped. Covariances are unbiased (divide by N − 1), as the
 * reference FID code (numpy.cov) computes them.
 */
import { matmul, matrix, type Matrix } from './matrix.ts';
import { sqrtPsd, symmetricEigen } from './symmetric-eigen.ts';

export interface Gaussian {
  readonly mean: Float64Array;
  /** dim×dim, unbiased. */
  readonly cov: Matrix;
}

/** Mean and covariance of `count` row-major feature vectors of `dim` values. */
export function fitGaussian(features: ArrayLike<number>, count: number, dim: number): Gaussian {
  if (count < 2 || features.length !== count * dim) {
    throw new RangeError(`fitGaussian: ${features.length} values are not ${count} ≥ 2 vectors of ${dim}`);
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = matrix(dim, dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) row[j] = features[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      for (let b = a; b < dim; b++) cov.data[a * dim + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++)
    for (let b = a; b < dim; b++) {
      const v = cov.data[a * dim + b] / (count - 1);
      cov.data[a * dim + b] = v;
      cov.data[b * dim + a] = v;
    }
  return { mean, cov };
}

/** tr((Σ1 Σ2)^{1/2}) = Σ √λ(Σ1^{1/2} Σ2 Σ1^{1/2}). */
export function traceSqrtProduct(s1: Matrix, s2: Matrix): number {
  const r = sqrtPsd(s1);
  const { values } = symmetricEigen(matmul(matmul(r, s2), r));
  return values.reduce((sum, l) => sum + Math.sqrt(Math.max(l, 0)), 0);
}

/** The Fréchet distance between two Gaussians (never below 0: rounding near 0 is clipped). */
export function frechetDistance(g1: Gaussian, g2: Gaussian): number {
  const n = g1.mean.length;
  if (g2.mean.length !== n) throw new RangeError(`frechetDistance: dims ${n} and ${g2.mean.length}`);
  let d2 = 0,
    tr = 0;
  for (let i = 0; i < n; i++) {
    d2 += (g1.mean[i] - g2.mean[i]) ** 2;
    tr += g1.cov.data[i * n + i] + g2.cov.data[i * n + i];
  }
  return Math.max(0, d2 + tr - 2 * traceSqrtProduct(g1.cov, g2.cov));
}
