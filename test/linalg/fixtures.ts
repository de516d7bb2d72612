// Shared fixtures for the compression pass tests: seeded values, running graphs on the reference
// executor, and counting ops; the expected values in tests are computed independently of the passes.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { allNodesDeep, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { numel, type TensorType } from '../../compiler/core/ir/types.ts';
import { tensor, type Tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import { runGraph } from '../../runtime/reference/executor.ts';

/** Deterministic uniform(-1, 1) from a 32-bit LCG. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

export function uniform(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * scale);
}

/** Values for every weight of a graph (loop bodies included); paths ending in `var` stay positive. */
export function randomWeights(graph: Graph, seed = 1, scale = 0.5): Map<string, Tensor<Float32Array>> {
  const out = new Map<string, Tensor<Float32Array>>();
  let k = seed;
  for (const n of allNodesDeep(graph)) {
    if (n.op !== 'weight' || out.has(n.attrs.path as string)) continue;
    const path = n.attrs.path as string;
    const shape = (n.type as TensorType).shape as number[];
    const data = uniform(numel(shape), k++ * 7919, scale);
    out.set(path, tensor(shape, path.endsWith('var') ? data.map((x) => 0.5 + Math.abs(x)) : data));
  }
  return out;
}

export type Inputs = Record<string, { data: ArrayLike<number>; shape: number[] }>;

/** The first output of `graph` as a flat Float32Array. */
export async function run(graph: Graph, inputs: Inputs, weights: WeightSet): Promise<Float32Array> {
  const outs = await runGraph(graph, { inputs, weights });
  const data = Float32Array.from((await outs[0].data()) as Float32Array);
  tf.dispose(outs);
  return data;
}

export function merged(a: WeightSet, b?: WeightSet): Map<string, Tensor<Float32Array>> {
  return new Map([...a, ...(b ?? [])]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function relL2(approx: ArrayLike<number>, exact: ArrayLike<number>): number {
  let num = 0,
    den = 0;
  for (let i = 0; i < exact.length; i++) {
    num += (approx[i] - exact[i]) ** 2;
    den += exact[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Nodes with op `op` anywhere in the graph, or all non-leaf nodes when no op is given. */
export function countOps(graph: Graph, op?: string): number {
  const leaves = new Set(['param', 'weight', 'constant']);
  return allNodesDeep(graph).filter((n: Node) => (op ? n.op === op : !leaves.has(n.op))).length;
}
