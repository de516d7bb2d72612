/**
 * Layers that are a matrix product with a leaf weight, seen uniformly as y = x·W with W [in, out]:
 * `matmul(x, W)` (W [in, out], or [out, in] with transposeB) — linear layers and attention
 * projections alike — and 1×1 `conv2d` with groups 1 (W [O, C, 1, 1] acts per pixel as Wᵀ).
 * low-rank factorises these; calibrate.ts collects their input statistics.
 */
import { tensorOf, type Node } from '../core/ir/node.ts';
import type { Tensor } from '../core/tensor.ts';
import { isValueLeaf } from './leaves.ts';
import { matrix, transpose, type Matrix } from './matrix.ts';

export interface MatrixSite {
  /** The matmul or conv2d node. */
  readonly node: Node;
  readonly kind: 'linear' | 'conv1x1';
  readonly weight: Node;
  /** Identifies the weight across sites and regions: its path, or the constant's node id. */
  readonly key: string;
  /** Input features (rows of W as [in, out]). */
  readonly m: number;
  /** Output features. */
  readonly n: number;
}

export function leafKey(leaf: Node): string {
  return leaf.op === 'weight' ? (leaf.attrs.path as string) : `constant#${leaf.id}`;
}

export function matrixSite(node: Node): MatrixSite | undefined {
  const w = node.inputs[1];
  if (!w || !isValueLeaf(w)) return undefined;
  const ws = tensorOf(w).shape as readonly number[];
  if (node.op === 'matmul' && ws.length === 2) {
    const [m, n] = node.attrs.transposeB ? [ws[1], ws[0]] : [ws[0], ws[1]];
    return { node, kind: 'linear', weight: w, key: leafKey(w), m, n };
  }
  if (node.op === 'conv2d' && node.attrs.groups === 1 && ws[2] === 1 && ws[3] === 1) {
    return { node, kind: 'conv1x1', weight: w, key: leafKey(w), m: ws[1], n: ws[0] };
  }
  return undefined;
}

/** The weight as an [in, out] matrix in f64. */
export function weightMatrix(site: MatrixSite, value: Tensor<Float32Array>): Matrix {
  const stored = site.kind === 'linear' && !site.node.attrs.transposeB ? matrix(site.m, site.n, value.data) : matrix(site.n, site.m, value.data);
  return site.kind === 'linear' && !site.node.attrs.transposeB ? stored : transpose(stored);
}

/** Output rows per execution: the number of input vectors the product is applied to. */
export function rowsOf(site: MatrixSite, outShape: readonly number[]): number {
  return outShape.reduce((p, d) => p * d, 1) / site.n;
}
