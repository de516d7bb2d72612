/**
 * Shared helpers for the sampler tests: compile programs that import the exact-answer models of
 * examples/gaussian.dn and examples/gmm.dn, run sampler instances on the reference executor, and the
 * closed forms the tests compare with, written here as plain loops (FACTS.md, "Exact check").
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { allNodesDeep, topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import { compileSource, type Program } from '../../dsl/index.ts';
import { runGraph, type TensorSource } from '../../runtime/reference/executor.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';

/** Where test programs claim to live, so `import "../../examples/gaussian.dn"` resolves. */
export const MAIN = path.resolve('test/samplers/main.dn');
export const HEADER = 'import "std/samplers"\nimport "../../examples/gaussian.dn"\nimport "../../examples/gmm.dn"\n';

/** The data of examples/gaussian.dn's defaults. */
export const MU = [0.5, -1.0];
export const VAR = [1.0, 0.3];

/** The mixture of examples/gmm.dn's defaults. */
export const GMM = {
  weights: [0.4, 0.3, 0.2, 0.1],
  means: [
    [-1.5, 0.0],
    [1.0, 1.0],
    [1.0, -1.2],
    [0.0, 2.0],
  ],
  vars: [
    [0.1, 0.2],
    [0.05, 0.05],
    [0.3, 0.1],
    [0.02, 0.2],
  ],
};

export function compileProgram(body: string): Program {
  return compileSource(HEADER + body, MAIN);
}

export function samplerGraph(p: Program, name: string): Graph {
  const s = p.samplers.find((x) => x.name === name);
  if (!s) throw new Error(`no sampler ${name}`);
  return s.graph;
}

/** Runs a sampler graph for a batch of B; extra inputs (class labels) by name. */
export async function sample(graph: Graph, seed: number, B: number, extra: Record<string, TensorSource> = {}): Promise<Float32Array> {
  const [out] = await runGraph(graph, { inputs: { seed: Int32Array.of(seed), ...extra }, dims: { B } });
  const data = Float32Array.from(out.dataSync());
  tf.dispose(out);
  return data;
}

/** The sampler's initial noise: the randn drawn before the loop (its stream is read from the graph). */
export function initialNoise(graph: Graph, seed: number, count: number): Float32Array {
  const first = topoOrder(graph).find((n) => n.op === 'randn');
  if (!first) throw new Error('no top-level randn');
  return randn(seed, first.attrs.stream as number, 0, count);
}

/** ᾱ of DDPM's linear schedule (Ho et al. 2020), as a plain running product. */
export function linearAlphaBar(T = 1000): number[] {
  const out: number[] = [];
  let prod = 1;
  for (let t = 0; t < T; t++) {
    prod *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / (T - 1));
    out.push(prod);
  }
  return out;
}

export interface Level {
  readonly a: number;
  readonly s: number;
}

/** The probability-flow ODE map of N(mu, v) data from level `from` to level `to`, per coordinate. */
export function gaussianFlow(x: number, mu: number, v: number, from: Level, to: Level): number {
  return to.a * mu + Math.sqrt((to.a * to.a * v + to.s * to.s) / (from.a * from.a * v + from.s * from.s)) * (x - from.a * mu);
}

/** E[x0 | x_t] of the mixture, with components restricted to `allowed` (a class label) or all. */
export function gmmPosteriorMean(x: readonly number[], level: Level, allowed?: number): number[] {
  const { a, s } = level;
  const logp = GMM.weights.map((w, k) =>
    allowed !== undefined && allowed !== k
      ? -Infinity
      : Math.log(w) -
        0.5 *
          x.reduce((acc, xd, d) => {
            const varK = a * a * GMM.vars[k][d] + s * s;
            return acc + (xd - a * GMM.means[k][d]) ** 2 / varK + Math.log(varK);
          }, 0),
  );
  const top = Math.max(...logp);
  const p = logp.map((l) => Math.exp(l - top));
  const total = p.reduce((u, v) => u + v, 0);
  return x.map((xd, d) =>
    GMM.weights.reduce((acc, _, k) => {
      const varK = a * a * GMM.vars[k][d] + s * s;
      return acc + (p[k] / total) * (GMM.means[k][d] + (a * GMM.vars[k][d] * (xd - a * GMM.means[k][d])) / varK);
    }, 0),
  );
}

export function rms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return Math.sqrt(sum / a.length);
}

/** Per-coordinate mean and (population) variance of B points of dimension D. */
export function moments(xs: Float32Array, D: number): { mean: number[]; variance: number[] } {
  const B = xs.length / D;
  const mean = Array.from({ length: D }, (_, d) => {
    let s = 0;
    for (let b = 0; b < B; b++) s += xs[b * D + d];
    return s / B;
  });
  const variance = mean.map((m, d) => {
    let s = 0;
    for (let b = 0; b < B; b++) s += (xs[b * D + d] - m) ** 2;
    return s / B;
  });
  return { mean, variance };
}

/** log2 of successive error ratios: the observed order as the step count doubles. */
export function observedOrders(errors: readonly number[]): number[] {
  return errors.slice(1).map((e, i) => Math.log2(errors[i] / e));
}

export const opsIn = (g: Graph): string[] => allNodesDeep(g).map((n) => n.op);
