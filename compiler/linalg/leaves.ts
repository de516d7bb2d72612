/**
 * The bridge between IR leaves and host values for the weight-rewriting passes (fold-batchnorm,
 * low-rank, prune): reading a `weight` (from the pass context) or `constant` (from its data) as
 * f32 values, and creating the replacement leaves under new, collision-free weight paths.
 */
import { fail } from '../core/diagnostics.ts';
import type { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Node } from '../core/ir/node.ts';
import { formatType, isStatic, tensorType } from '../core/ir/types.ts';
import type { PassContext } from '../passes/pass.ts';
import { tensor, type Tensor, type WeightSet } from '../core/tensor.ts';

/** A `weight` or f32 `constant` with a static shape: a leaf whose values a pass may rewrite. */
export function isValueLeaf(node: Node): boolean {
  if (node.op !== 'weight' && node.op !== 'constant') return false;
  const t = tensorOf(node);
  return t.dtype === 'f32' && isStatic(t.shape);
}

function leafShape(node: Node): number[] {
  return [...(tensorOf(node).shape as readonly number[])];
}

/** A leaf's values; a missing weight is a clear error naming the pass and the path. */
export function leafValue(node: Node, ctx: PassContext, pass: string): Tensor<Float32Array> {
  const shape = leafShape(node);
  if (node.op === 'constant') return tensor(shape, node.attrs.data as Float32Array);
  const path = node.attrs.path as string;
  const data = ctx.weights?.get(path)?.data;
  if (!data) {
    return fail(
      'CPR0001',
      `${pass}: no value for weight '${path}: ${formatType(node.type)}'` +
        (ctx.weights ? '' : ' (this pass rewrites weights: give them in the pass context)'),
      node.span,
    );
  }
  if (data.length !== shape.reduce((p, d) => p * d, 1)) {
    return fail('CPR0002', `${pass}: weight '${path}' has ${data.length} values but its type is ${formatType(node.type)}`, node.span);
  }
  return tensor(shape, data);
}

/** Readable path of a leaf for reports and derived names. */
export function leafName(node: Node): string {
  return node.op === 'weight' ? (node.attrs.path as string) : `constant${formatType(node.type)}`;
}

function sameData(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/**
 * Collects the weight values a pass creates. Equal content under the same base path shares one
 * path (a layer used twice is rewritten twice to the same leaf); different content gets `_2`, `_3`.
 */
export class WeightSink {
  readonly values = new Map<string, Tensor<Float32Array>>();
  constructor(private readonly existing?: WeightSet) {}

  put(base: string, value: Tensor<Float32Array>): string {
    for (let i = 1; ; i++) {
      const path = i === 1 ? base : `${base}_${i}`;
      const prior = this.values.get(path) ?? this.existing?.get(path);
      if (!prior || sameData(prior.data, value.data)) {
        this.values.set(path, value);
        return path;
      }
    }
  }

  /** A leaf like `like` (weight or constant) holding `value`; weights go under a path from `base`. */
  leaf(b: GraphBuilder, like: Node, base: string, value: Tensor<Float32Array>): Node {
    if (like.op === 'constant') return b.constant(value.data, value.shape, like.span);
    const path = this.put(base, value);
    return b.weight(path, tensorType('f32', value.shape), like.span);
  }
}
