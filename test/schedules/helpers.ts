// Shared pieces of the schedule tests: a 1-D Gaussian data distribution, whose optimal denoiser and
// probability-flow ODE solution are closed form (FACTS.md, "Exact check"), a seeded generator for
// random test polynomials, and a check that bad input fails with a given diagnostic code.
import { expect } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';

/** Data ~ N(mu, v). VP: x_t = α·x0 + σ·ε. */
export interface Gaussian {
  readonly mu: number;
  readonly v: number;
}

export const gaussian: Gaussian = { mu: 0.7, v: 0.3 };

/** E[x0 | x_t] at VP level (α, σ). */
export function denoiseVp(g: Gaussian, x: number, alpha: number, sigma: number): number {
  return g.mu + (alpha * g.v * (x - alpha * g.mu)) / (alpha * alpha * g.v + sigma * sigma);
}

/** The exact probability-flow ODE map from level (αt, σt) to level (αs, σs). */
export function flowVp(g: Gaussian, x: number, at: number, st: number, as: number, ss: number): number {
  return as * g.mu + Math.sqrt((as * as * g.v + ss * ss) / (at * at * g.v + st * st)) * (x - at * g.mu);
}

/** VE form: x = x0 + s·ε. */
export function denoiseVe(g: Gaussian, x: number, s: number): number {
  return g.mu + (g.v * (x - g.mu)) / (g.v + s * s);
}

export function flowVe(g: Gaussian, x: number, s: number, sNext: number): number {
  return g.mu + Math.sqrt((g.v + sNext * sNext) / (g.v + s * s)) * (x - g.mu);
}

/** Deterministic uniform numbers in [-1, 1) (a 32-bit LCG); enough for random coefficients. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/** Relative-or-absolute closeness, reported with the values so failures are readable. */
export function close(a: number, b: number, rtol: number, atol = 0): boolean {
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/** Observed convergence order from errors at step sizes h and h/2. */
export function observedOrder(errCoarse: number, errFine: number): number {
  return Math.log2(errCoarse / errFine);
}

/** `fn` must throw a DenocError whose first diagnostic has `code`; returns its message. */
export function expectCode(fn: () => unknown, code: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DenocError);
  const d = (caught as DenocError).diagnostics[0];
  expect(d.code).toBe(code);
  return d.message;
}
