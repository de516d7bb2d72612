/**
 * Numeric helpers for WebGPU tests: deterministic pseudo-random data (a plain LCG, independent of
 * the code under test), running a graph on the reference executor, and an all-close check that
 * reports the worst element.
 */
import { expect } from 'vitest';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { runGraph, type TensorSource } from '../../runtime/reference/executor.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

/** n values uniform in [lo, hi) from a 32-bit LCG (Numerical Recipes constants). */
export function rand(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (hi - lo) * (s / 2 ** 32);
  });
}

export function randInt(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(rand(n, seed, lo, hi), Math.floor);
}

/** Outputs of the reference executor as plain arrays. */
export async function reference(
  graph: Graph,
  inputs: Record<string, TensorSource>,
  weights?: WeightSet,
  dims?: Record<string, number>,
): Promise<Float32Array[]> {
  const out = await runGraph(graph, { inputs, weights, dims });
  const data = out.map((t) => Float32Array.from(t.dataSync()));
  out.forEach((t) => t.dispose());
  return data;
}

export interface Tolerance {
  readonly rtol?: number;
  readonly atol?: number;
}

/** |a − e| ≤ atol + rtol·|e| everywhere (NaN must match NaN); reports the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance = {}, what = ''): void {
  const rtol = tol.rtol ?? 1e-4,
    atol = tol.atol ?? 1e-5;
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = -1,
    worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i],
      e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}
