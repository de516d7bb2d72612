/**
 * A distance between 2-D point clouds, to measure samples against data instead of eyeballing plots:
 * the sliced Wasserstein-1 distance (Rabin, Peyré, Delon & Bernot 2011; Bonneel, Rabin, Peyré &
 * Pfister 2015),
 *
 *   SW1(P, Q) = mean over K directions d_k of W1(⟨P, d_k⟩, ⟨Q, d_k⟩),
 *
 * with the directions at angles πk/K, k = 0 … K−1 (a fixed quadrature of the half circle; −d gives
 * the same 1-D distance as d), and the 1-D W1 of two empirical distributions computed exactly as
 * ∫ |F(x) − G(x)| dx over the merged sorted projections. It is in the data's units: shifting a cloud
 * by a vector s gives mean_k |⟨s, d_k⟩| → 2|s|/π. Two finite samples of one distribution are not at
 * distance 0 (about n^(-1/2)): compare a result with the same metric between two data samples.
 *
 *   TRN0701 not an N×2 cloud      TRN0702 a direction count that is not an integer >= 1
 */
import { fail } from '../../compiler/core/diagnostics.ts';

/** Exact W1 of two empirical 1-D distributions given sorted values. */
export function wasserstein1d(x: Float64Array, y: Float64Array): number {
  const n = x.length,
    m = y.length;
  let i = 0,
    j = 0,
    total = 0;
  let prev = Math.min(x[0], y[0]);
  while (i < n || j < m) {
    const fromX = j >= m || (i < n && x[i] <= y[j]);
    const next = fromX ? x[i] : y[j];
    // between breakpoints the two CDFs are constant at i/n and j/m
    total += Math.abs(i / n - j / m) * (next - prev);
    prev = next;
    if (fromX) i++;
    else j++;
  }
  return total;
}

function checkCloud(points: Float32Array, what: string): number {
  if (points.length === 0 || points.length % 2 !== 0) fail('TRN0701', `${what}: ${points.length} values are not a non-empty N×2 point cloud`);
  return points.length / 2;
}

function projections(points: Float32Array, n: number, c: number, s: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = c * points[2 * i] + s * points[2 * i + 1];
  return out.sort();
}

/** Sliced Wasserstein-1 distance between two N×2 clouds (sizes may differ), over `directions` angles. */
export function slicedWasserstein(a: Float32Array, b: Float32Array, directions = 128): number {
  const na = checkCloud(a, 'first cloud'),
    nb = checkCloud(b, 'second cloud');
  if (!Number.isInteger(directions) || directions < 1) fail('TRN0702', `directions must be an integer >= 1, got ${directions}`);
  let sum = 0;
  for (let k = 0; k < directions; k++) {
    const theta = (Math.PI * k) / directions;
    const c = Math.cos(theta),
      s = Math.sin(theta);
    sum += wasserstein1d(projections(a, na, c, s), projections(b, nb, c, s));
  }
  return sum / directions;
}
