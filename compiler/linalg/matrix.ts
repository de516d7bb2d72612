/**
 * Dense row-major Float64 matrices for the compression passes (SVD, whitening). Weights arrive as
 * Float32Array; all factorisation work happens in double precision and is rounded once at the end.
 */

export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major: element (i, j) is data[i * cols + j]. */
  readonly data: Float64Array;
}

export function matrix(rows: number, cols: number, data?: ArrayLike<number>): Matrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`matrix: bad size ${rows}x${cols}`);
  }
  if (data && data.length !== rows * cols) {
    throw new RangeError(`matrix: ${data.length} values for a ${rows}x${cols} matrix`);
  }
  return { rows, cols, data: data ? Float64Array.from(data) : new Float64Array(rows * cols) };
}

export function transpose(a: Matrix): Matrix {
  const out = matrix(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) out.data[j * a.rows + i] = a.data[i * a.cols + j];
  }
  return out;
}

/** a (m×k) · b (k×n), i-k-j order so the inner loop runs over contiguous rows. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const out = matrix(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const row = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k];
      if (aik === 0) continue;
      const brow = k * n;
      for (let j = 0; j < n; j++) out.data[row + j] += aik * b.data[brow + j];
    }
  }
  return out;
}

/** aᵀ·a without forming aᵀ (the Gram matrix of the columns). */
export function gram(a: Matrix): Matrix {
  const n = a.cols;
  const out = matrix(n, n);
  for (let r = 0; r < a.rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) {
      const x = a.data[base + i];
      if (x === 0) continue;
      for (let j = i; j < n; j++) out.data[i * n + j] += x * a.data[base + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out.data[i * n + j] = out.data[j * n + i];
  return out;
}

export function toFloat32(a: Matrix): Float32Array {
  return Float32Array.from(a.data);
}
