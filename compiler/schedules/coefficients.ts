/**
 * Per-step coefficient tables of the VP data-prediction solvers: DDIM(η), DPM-Solver++ of orders
 * 1-3 (multistep) and SDE-DPM-Solver++ of orders 1-2. All share one linear form, so a compiled
 * sampler is a loop of multiply-adds over constant tables:
 *
 *   x_{i+1} = xt[i]·x_i + Σ_k data[k][i]·D_{i-k} + noise[i]·z_i
 *
 * where D_j is the model's data prediction x̂0 at step j (earlier predictions are loop-carried
 * history; data[k][i] = 0 when step i does not use lag k) and z_i is fresh standard normal noise.
 * Notation: levels (α_i, σ_i, λ_i) from `levels.ts`; step i goes from t = level i to s = level i+1,
 * with h_i = λ_s - λ_t > 0.
 */
import { requireInt, requireReal } from './check.ts';
import type { NoiseLevels } from './levels.ts';

export interface StepTable {
  /** coefficient on the current sample x_i; length N */
  readonly xt: readonly number[];
  /** data[k][i]: coefficient on the data prediction from k steps back, D_{i-k} */
  readonly data: readonly (readonly number[])[];
  /** coefficient on fresh standard normal noise z_i (all 0 for deterministic solvers) */
  readonly noise: readonly number[];
  /** the order step i actually uses (lower at the start, and at the end of short runs) */
  readonly order: readonly number[];
}

/** One step's coefficients before they are laid out as tables. */
interface Step {
  xt: number;
  data: number[];
  noise: number;
  order: number;
}

function tabulate(steps: Step[], lags: number): StepTable {
  const data = Array.from({ length: lags }, (_, k) => Object.freeze(steps.map((s) => s.data[k] ?? 0)));
  return Object.freeze({
    xt: Object.freeze(steps.map((s) => s.xt)),
    data: Object.freeze(data),
    noise: Object.freeze(steps.map((s) => s.noise)),
    order: Object.freeze(steps.map((s) => s.order)),
  });
}

/**
 * DDIM (Song et al. 2021, eqs. 12 and 16): x_s = α_s·x̂0 + √(σ_s² - c²)·ε̂ + c·z with
 * c = η·√((1-ᾱ_s)/(1-ᾱ_t))·√(1 - ᾱ_t/ᾱ_s); η = 0 is deterministic, η = 1 is DDPM ancestral.
 * With ε̂ = (x_t - α_t·x̂0)/σ_t this is xt = √(σ_s² - c²)/σ_t, data = α_s - α_t·xt.
 */
export function ddimCoefficients(levels: NoiseLevels, eta = 0): StepTable {
  requireReal('eta', eta, 0, 1);
  const { alpha, sigma } = levels;
  const steps: Step[] = [];
  for (let i = 0; i + 1 < alpha.length; i++) {
    const [at, st, as, ss] = [alpha[i], sigma[i], alpha[i + 1], sigma[i + 1]];
    // 1 - ᾱ_t/ᾱ_s = (σ_t² - σ_s²)/α_s², which keeps its digits when the two levels are close.
    const c = eta * (ss / st) * (Math.sqrt((st - ss) * (st + ss)) / as);
    const xt = Math.sqrt(Math.max(0, (ss - c) * (ss + c))) / st;
    steps.push({ xt, data: [as - at * xt], noise: c, order: 1 });
  }
  return tabulate(steps, 1);
}

/**
 * φ-integrals of the exponential integrator: E_k(h) = ∫_0^h e^{u-h}·u^k/k! du, so
 * E_0 = 1 - e^{-h}, E_1 = h - 1 + e^{-h}, E_2 = h²/2 - h + 1 - e^{-h} (Lu et al. 2022).
 * For h < 1 the alternating series Σ_m (-1)^m h^{k+1+m}/(k+1+m)! avoids cancellation.
 */
export function expIntegral(k: 0 | 1 | 2, h: number): number {
  if (h >= 1) {
    if (k === 0) return -Math.expm1(-h);
    if (k === 1) return h + Math.expm1(-h);
    return (h * h) / 2 - h - Math.expm1(-h);
  }
  let term = 1;
  for (let j = 1; j <= k + 1; j++) term *= h / j;
  let sum = 0;
  for (let m = 0; m < 40 && Math.abs(term) > 1e-18 * Math.abs(sum); m++) {
    sum += term;
    term *= -h / (k + 2 + m);
  }
  return sum;
}

/**
 * The order step i uses: at most i+1 (history is still filling), at most N-i near the end of a run
 * shorter than 15 steps (the DPM-Solver authors found it stabilizes such short runs), and
 * never reaching back across a step with infinite h (from SNR 0 or to σ = 0), whose λ-polynomial
 * is undefined.
 */
function stepOrder(order: number, i: number, h: readonly number[], lowerOrderFinal: boolean): number {
  const N = h.length;
  let q = Math.min(order, i + 1);
  if (lowerOrderFinal && N < 15) q = Math.min(q, N - i);
  for (let k = 0; k < q; k++) {
    if (!Number.isFinite(h[i - k])) q = Math.max(1, k);
  }
  return q;
}

/** Weights on (D_i, D_{i-1}, D_{i-2}) of the λ-Taylor terms; see dpmSolverPlusPlus. */
function multistepWeights(q: number, i: number, h: readonly number[]): number[] {
  const hi = h[i];
  if (q === 1) return [expIntegral(0, hi)];
  const r0 = h[i - 1] / hi;
  if (q === 2) {
    // DPM-Solver++(2M), Algorithm 2: D' = (1 + 1/(2r))·D_i - (1/(2r))·D_{i-1}.
    const e0 = expIntegral(0, hi);
    return [e0 * (1 + 1 / (2 * r0)), -e0 / (2 * r0)];
  }
  const r1 = h[i - 2] / hi;
  // Divided differences scaled by h: D1 ≈ h·D'(λ_i), D2 ≈ h²·D''(λ_i), both exact for quadratics.
  const d10 = [1 / r0, -1 / r0, 0];
  const diff = [1 / r0, -1 / r0 - 1 / r1, 1 / r1];
  const d1 = d10.map((w, j) => w + (r0 / (r0 + r1)) * diff[j]);
  const d2 = diff.map((w) => (2 / (r0 + r1)) * w);
  const [e0, e1, e2] = [expIntegral(0, hi), expIntegral(1, hi), expIntegral(2, hi)];
  return [0, 1, 2].map((j) => (j === 0 ? e0 : 0) + (e1 / hi) * d1[j] + (e2 / (hi * hi)) * d2[j]);
}

function logSnrSteps(levels: NoiseLevels): number[] {
  return levels.lambda.slice(1).map((l, i) => l - levels.lambda[i]);
}

/**
 * DPM-Solver++ multistep, data prediction (Lu et al. 2022, "DPM-Solver++", arXiv:2211.01095):
 *   x_s = (σ_s/σ_t)·x_t + α_s·∫_{λ_t}^{λ_s} e^{λ-λ_s}·D(λ) dλ, with D a polynomial in λ through the
 * last `order` predictions. Order 1 is DDIM η=0; order 2 is the paper's 2M (Algorithm 2);
 * order 3 ("3M") integrates the quadratic through the last three predictions exactly.
 * Note: the 3M update in the authors' code (and diffusers, k-diffusion) weights its second
 * difference D2 = (D1_0 - D1_1)/(r0 + r1) ≈ h²D''/2 by -φ_3 = E_2/h², i.e. half the Taylor
 * coefficient; here D2 carries the factor 2, so the step is exact for quadratic D(λ) (a test
 * checks this) and tables differ from those implementations at 3rd-order steps.
 */
export function dpmSolverPlusPlus(levels: NoiseLevels, order = 2, lowerOrderFinal = true): StepTable {
  requireInt('order', order, 1, 3);
  const { alpha, sigma } = levels;
  const h = logSnrSteps(levels);
  const steps = h.map((_, i): Step => {
    const q = stepOrder(order, i, h, lowerOrderFinal);
    const weights = multistepWeights(q, i, h);
    return { xt: sigma[i + 1] / sigma[i], data: weights.map((w) => alpha[i + 1] * w), noise: 0, order: q };
  });
  return tabulate(steps, order);
}

/**
 * SDE-DPM-Solver++ (Lu et al. 2022; the stochastic variant in the authors' DPM-Solver code):
 *   x_s = (σ_s/σ_t)·e^{-h}·x_t + α_s·(1 - e^{-2h})·D' + σ_s·√(1 - e^{-2h})·z,
 * with D' = D_i (order 1, which equals DDIM η=1) or the 2M midpoint combination
 * D' = (1 + 1/(2r))·D_i - (1/(2r))·D_{i-1}.
 */
export function sdeDpmSolverPlusPlus(levels: NoiseLevels, order = 2, lowerOrderFinal = true): StepTable {
  requireInt('order', order, 1, 2);
  const { alpha, sigma } = levels;
  const h = logSnrSteps(levels);
  const steps = h.map((hi, i): Step => {
    const q = stepOrder(order, i, h, lowerOrderFinal);
    const keep = -Math.expm1(-2 * hi); // 1 - e^{-2h}
    const weights = q === 1 ? [1] : [1 + h[i] / (2 * h[i - 1]), -h[i] / (2 * h[i - 1])];
    return {
      xt: (sigma[i + 1] / sigma[i]) * Math.exp(-hi),
      data: weights.map((w) => alpha[i + 1] * keep * w),
      noise: sigma[i + 1] * Math.sqrt(keep),
      order: q,
    };
  });
  return tabulate(steps, order);
}
