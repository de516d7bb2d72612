/**
 * Improved precision and recall of a generated feature set against a real one (Kynkäänniemi et al.
 * 2019, "Improved Precision and Recall Metric for Assessing Generative Models", Eq. 1–3): each set's
 * manifold is the union of balls around its points whose radius is the distance to the point's k-th
 * nearest neighbour in the same set (k = 3 in the paper). Precision is the fraction of generated
 * points inside the real manifold, recall the fraction of real points inside the generated one.
 * Distances are Euclidean, in float64, streamed one row at a time (memory O(n), time O(n·m·dim)).
 */

/** A set of `count` row-major vectors of `dim` values. */
export interface PointSet {
  readonly data: ArrayLike<number>;
  readonly count: number;
  readonly dim: number;
}

export interface PrecisionRecall {
  readonly precision: number;
  readonly recall: number;
}

export const DEFAULT_K = 3;

function toRows(s: PointSet): { rows: Float64Array; norms: Float64Array } {
  if (s.data.length !== s.count * s.dim) throw new RangeError(`precisionRecall: ${s.data.length} values are not ${s.count}×${s.dim}`);
  const rows = Float64Array.from(s.data);
  const norms = new Float64Array(s.count);
  for (let i = 0; i < s.count; i++) {
    let q = 0;
    for (let d = 0; d < s.dim; d++) q += rows[i * s.dim + d] ** 2;
    norms[i] = q;
  }
  return { rows, norms };
}

type Rows = ReturnType<typeof toRows>;

/** Squared distances from row i of `a` to every row of `b`, into `out`. */
function distancesFrom(a: Rows, i: number, b: Rows, dim: number, out: Float64Array): void {
  const base = i * dim;
  for (let j = 0; j < out.length; j++) {
    let dot = 0;
    const bj = j * dim;
    for (let d = 0; d < dim; d++) dot += a.rows[base + d] * b.rows[bj + d];
    out[j] = Math.max(0, a.norms[i] + b.norms[j] - 2 * dot);
  }
}

/** Squared distance of each point to its k-th nearest neighbour in its own set (itself excluded). */
export function kthNeighbourRadii(s: PointSet, k = DEFAULT_K): Float64Array {
  if (!Number.isInteger(k) || k < 1 || k >= s.count)
    throw new RangeError(`precisionRecall: k = ${k} needs a set of more than k points, got ${s.count}`);
  const r = toRows(s);
  const row = new Float64Array(s.count);
  const best = new Float64Array(k + 1);
  return Float64Array.from({ length: s.count }, (_, i) => {
    distancesFrom(r, i, r, s.dim, row);
    // the k + 1 smallest, the point itself (distance 0) among them
    best.fill(Number.POSITIVE_INFINITY);
    for (const v of row) {
      if (v >= best[k]) continue;
      let p = k;
      while (p > 0 && best[p - 1] > v) {
        best[p] = best[p - 1];
        p--;
      }
      best[p] = v;
    }
    return best[k];
  });
}

/** Fraction of the points of `probe` inside some ball of `manifold` (squared radii `radii`). */
function coverage(probe: PointSet, manifold: PointSet, radii: Float64Array): number {
  const p = toRows(probe),
    m = toRows(manifold);
  const row = new Float64Array(manifold.count);
  let inside = 0;
  for (let i = 0; i < probe.count; i++) {
    distancesFrom(p, i, m, probe.dim, row);
    for (let j = 0; j < row.length; j++) {
      if (row[j] <= radii[j]) {
        inside++;
        break;
      }
    }
  }
  return inside / probe.count;
}

/**
 * Precision and recall of `generated` against `real`; `realRadii` may be passed when one real set is
 * compared with several generated ones (kthNeighbourRadii of `real` with the same k).
 */
export function precisionRecall(real: PointSet, generated: PointSet, k = DEFAULT_K, realRadii?: Float64Array): PrecisionRecall {
  if (real.dim !== generated.dim) throw new RangeError(`precisionRecall: dims ${real.dim} and ${generated.dim}`);
  const rr = realRadii ?? kthNeighbourRadii(real, k);
  return { precision: coverage(generated, real, rr), recall: coverage(real, generated, kthNeighbourRadii(generated, k)) };
}
