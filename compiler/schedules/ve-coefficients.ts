/**
 * Per-step tables of the VE (EDM-form) solvers, which integrate the probability-flow ODE
 * dx/ds = (x - D(x, s))/s on x = x_vp/α over a VE sigma table s_0 > ... > s_N (Karras et al. 2022).
 * The slope d_i = (x_i - D_i)/s_i is computed in the sampler; these tables say how to combine them:
 *
 *   Euler   x_{i+1} = x_i + dt[i]·d_i + noise[i]·z_i
 *   Heun    x' = x_i + dt[i]·d_i; if correct[i]: x_{i+1} = x_i + dt[i]·(d_i + d')/2, d' = (x' - D(x', s_{i+1}))/s_{i+1}
 *   LMS     x_{i+1} = x_i + Σ_j coeffs[j][i]·d_{i-j}
 */
import { requireInt, requireReal, requireSigmaTable } from './check.ts';

export interface EulerTable {
  /** s_i, where the model is evaluated; length N */
  readonly sigma: readonly number[];
  /** s_down - s_i (s_down = s_{i+1} without ancestral noise) */
  readonly dt: readonly number[];
  /** s_up, the scale of fresh noise added after the step */
  readonly noise: readonly number[];
}

export interface HeunTable {
  readonly sigma: readonly number[];
  readonly sigmaNext: readonly number[];
  readonly dt: readonly number[];
  /** 1 where the second evaluation at s_{i+1} is made, 0 on a last step to s = 0 (Euler there) */
  readonly correct: readonly number[];
}

export interface LmsTable {
  readonly sigma: readonly number[];
  /** coeffs[j][i]: weight of the slope from j steps back, d_{i-j} */
  readonly coeffs: readonly (readonly number[])[];
  readonly order: readonly number[];
}

/**
 * Euler, optionally ancestral. With eta > 0 the step to s_{i+1} is split into a deterministic step
 * to s_down and fresh noise of scale s_up, s_down² + s_up² = s_{i+1}², where
 * s_up = min(s_{i+1}, eta·√(s_{i+1}²·(s_i² - s_{i+1}²)/s_i²)): the DDPM posterior variance in VE
 * form (Song et al. 2021 DDIM η in VE units; k-diffusion's get_ancestral_step).
 */
export function eulerCoefficients(sigmas: readonly number[], eta = 0): EulerTable {
  requireSigmaTable('sigmas', sigmas);
  requireReal('eta', eta, 0);
  const sigma = sigmas.slice(0, -1);
  const up = sigma.map((s, i) => {
    const next = sigmas[i + 1];
    return Math.min(next, eta * next * (Math.sqrt((s - next) * (s + next)) / s));
  });
  const dt = sigma.map((s, i) => {
    const next = sigmas[i + 1];
    return Math.sqrt((next - up[i]) * (next + up[i])) - s;
  });
  return Object.freeze({ sigma: Object.freeze(sigma), dt: Object.freeze(dt), noise: Object.freeze(up) });
}

/** Heun's second-order method, EDM Algorithm 1 (Karras et al. 2022) without churn. */
export function heunCoefficients(sigmas: readonly number[]): HeunTable {
  requireSigmaTable('sigmas', sigmas);
  const sigma = sigmas.slice(0, -1);
  const sigmaNext = sigmas.slice(1);
  return Object.freeze({
    sigma: Object.freeze(sigma),
    sigmaNext: Object.freeze(sigmaNext),
    dt: Object.freeze(sigma.map((s, i) => sigmaNext[i] - s)),
    correct: Object.freeze(sigmaNext.map((s) => (s > 0 ? 1 : 0))),
  });
}

// Two-point Gauss–Legendre on [-1, 1]: exact for polynomials of degree <= 3, i.e. LMS order <= 4.
const GAUSS_NODES = [-1 / Math.sqrt(3), 1 / Math.sqrt(3)];

/** ∫_a^b of the Lagrange basis polynomial that is 1 at nodes[j] and 0 at the other nodes. */
function lagrangeIntegral(nodes: readonly number[], j: number, a: number, b: number): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (const g of GAUSS_NODES) {
    const x = mid + half * g;
    let basis = 1;
    for (let m = 0; m < nodes.length; m++) {
      if (m !== j) basis *= (x - nodes[m]) / (nodes[j] - nodes[m]);
    }
    sum += basis;
  }
  return half * sum;
}

/**
 * Linear multistep (Adams–Bashforth in sigma) of order <= 4, as in Karras et al. 2022's survey and
 * k-diffusion's sample_lms: c_j = ∫_{s_i}^{s_{i+1}} ℓ_j(s) ds, ℓ_j the Lagrange basis through
 * s_i, s_{i-1}, ..., s_{i-q+1} (q = min(order, i+1)). The integral is exact (Gauss–Legendre with
 * enough nodes for the degree), not a numerical quadrature of uncertain accuracy.
 */
export function lmsCoefficients(sigmas: readonly number[], order = 4): LmsTable {
  requireSigmaTable('sigmas', sigmas);
  requireInt('order', order, 1, 4);
  const n = sigmas.length - 1;
  const orders = Array.from({ length: n }, (_, i) => Math.min(order, i + 1));
  const coeffs = Array.from({ length: order }, (_, j) =>
    Object.freeze(
      orders.map((q, i) => {
        if (j >= q) return 0;
        const nodes = Array.from({ length: q }, (_, m) => sigmas[i - m]);
        return lagrangeIntegral(nodes, j, sigmas[i], sigmas[i + 1]);
      }),
    ),
  );
  return Object.freeze({ sigma: Object.freeze(sigmas.slice(0, -1)), coeffs: Object.freeze(coeffs), order: Object.freeze(orders) });
}
