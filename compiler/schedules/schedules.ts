/**
 * Discrete variance-preserving noise schedules, evaluated in float64 at compile time.
 *
 * Notation (docs: /work/shared/FACTS.md): x_t = α_t·x0 + σ_t·ε with α_t² + σ_t² = 1, ᾱ_t = α_t²,
 * log-SNR λ_t = log(α_t/σ_t) and VE sigma s_t = σ_t/α_t. Index t = 0..T-1 is the array index; it is
 * DDPM's timestep t+1 (Ho et al. 2020 count from 1), the convention of guided-diffusion and diffusers.
 *
 * 1-ᾱ is carried separately from ᾱ (through log1p/expm1) because σ_t = √(1-ᾱ_t) at small t would
 * otherwise lose most of its digits to cancellation (ᾱ_0 = 0.9999 for the DDPM schedule).
 */
import { requireNumber, requireReal, requireSteps } from './check.ts';

/** A discrete VP schedule: every table has T entries, indexed by training timestep. */
export interface VpSchedule {
  readonly T: number;
  readonly betas: readonly number[];
  /** ᾱ_t = Π_{k≤t} (1 - β_k) */
  readonly alphasCumprod: readonly number[];
  /** α_t = √ᾱ_t, the signal scale */
  readonly alpha: readonly number[];
  /** σ_t = √(1 - ᾱ_t), the noise scale */
  readonly sigma: readonly number[];
  /** λ_t = log(α_t/σ_t); -Infinity where ᾱ_t = 0 */
  readonly lambda: readonly number[];
  /** s_t = σ_t/α_t, the VE (EDM) sigma; Infinity where ᾱ_t = 0 */
  readonly veSigma: readonly number[];
}

/** The derived tables, from accurate ᾱ and 1-ᾱ. */
function buildSchedule(betas: number[], abar: number[], oneMinus: number[]): VpSchedule {
  return Object.freeze({
    T: betas.length,
    betas: Object.freeze(betas),
    alphasCumprod: Object.freeze(abar),
    alpha: Object.freeze(abar.map(Math.sqrt)),
    sigma: Object.freeze(oneMinus.map(Math.sqrt)),
    lambda: Object.freeze(abar.map((a, t) => 0.5 * (Math.log(a) - Math.log(oneMinus[t])))),
    veSigma: Object.freeze(abar.map((a, t) => Math.sqrt(oneMinus[t] / a))),
  });
}

/** ᾱ as a running sum of log(1-β): exp gives ᾱ, -expm1 gives 1-ᾱ without cancellation. */
function fromBetas(betas: number[]): VpSchedule {
  const abar: number[] = [];
  const oneMinus: number[] = [];
  let logAbar = 0;
  for (const beta of betas) {
    logAbar += Math.log1p(-beta);
    abar.push(Math.exp(logAbar));
    oneMinus.push(-Math.expm1(logAbar));
  }
  return buildSchedule(betas, abar, oneMinus);
}

/** numpy.linspace(a, b, n)[i]: the last point is b exactly. */
function linspaceAt(a: number, b: number, n: number, i: number): number {
  if (n === 1) return a;
  return i === n - 1 ? b : a + ((b - a) * i) / (n - 1);
}

function checkBetaRange(beta0: number, beta1: number, T: number): void {
  requireReal('beta0', beta0, 0, 1, { min: true, max: true });
  requireReal('beta1', beta1, 0, 1, { min: true, max: true });
  requireSteps('T', T, 1);
}

/** DDPM's linear β schedule (Ho et al. 2020, §4): β_t = linspace(beta0, beta1, T). */
export function linear(beta0 = 1e-4, beta1 = 0.02, T = 1000): VpSchedule {
  checkBetaRange(beta0, beta1, T);
  return fromBetas(Array.from({ length: T }, (_, i) => linspaceAt(beta0, beta1, T, i)));
}

/**
 * Latent diffusion's "scaled linear" schedule (Rombach et al. 2022, as used by Stable Diffusion):
 * β_t = linspace(√beta0, √beta1, T)².
 */
export function scaledLinear(beta0 = 0.00085, beta1 = 0.012, T = 1000): VpSchedule {
  checkBetaRange(beta0, beta1, T);
  const r0 = Math.sqrt(beta0);
  const r1 = Math.sqrt(beta1);
  return fromBetas(Array.from({ length: T }, (_, i) => linspaceAt(r0, r1, T, i) ** 2));
}

/**
 * The cosine schedule (Nichol & Dhariwal 2021, eq. 17): ᾱ(t) = f(t)/f(0),
 * f(t) = cos²(((t/T + s)/(1 + s))·π/2), with β_t = 1 - ᾱ(t)/ᾱ(t-1) clipped at maxBeta so the last
 * step is not singular. Array index i holds the paper's step i+1, i.e. ᾱ_i = f((i+1)/T)/f(0).
 */
export function cosine(T = 1000, s = 0.008, maxBeta = 0.999): VpSchedule {
  requireSteps('T', T, 1);
  requireReal('s', s, 0);
  requireReal('maxBeta', maxBeta, 0, 1, { min: true });
  const angle = (t: number): number => ((t / T + s) / (1 + s)) * (Math.PI / 2);
  const betas = Array.from({ length: T }, (_, i) => {
    // 1 - cos²b/cos²a = sin(b-a)·sin(b+a)/cos²a: no cancellation when the step is small.
    const a = angle(i);
    const b = angle(i + 1);
    const top = i + 1 === T ? Math.cos(a) ** 2 : Math.sin(b - a) * Math.sin(b + a);
    return Math.min(top / Math.cos(a) ** 2, maxBeta);
  });
  return fromBetas(betas);
}

/**
 * Rescale a schedule to zero terminal SNR (Lin et al. 2023, Algorithm 1): with a = √ᾱ, shift so
 * a_{T-1} = 0 and scale so a_0 is unchanged, a ← (a - a_{T-1})·a_0/(a_0 - a_{T-1}).
 * Written as ᾱ'_t = ᾱ_0·q_t², q_t = (a_t - a_{T-1})/(a_0 - a_{T-1}), so that ᾱ'_0 = ᾱ_0 and
 * ᾱ'_{T-1} = 0 hold exactly in floating point. The model must predict v or x0 (ε is undefined at
 * SNR 0); pair it with trailing spacing so sampling starts at the zero-SNR step.
 */
export function rescaleZeroTerminalSnr(schedule: VpSchedule): VpSchedule {
  const { T, alpha, alphasCumprod: abar } = schedule;
  requireSteps('T of the schedule to rescale', T, 2);
  const oneMinus = schedule.sigma.map((s) => s * s);
  const a0 = alpha[0];
  const aT = alpha[T - 1];
  // a_0 - a_t = ((1-ᾱ_t) - (1-ᾱ_0))/(a_0 + a_t): accurate even when a_t is close to a_0.
  const gap = (t: number): number => (oneMinus[t] - oneMinus[0]) / (a0 + alpha[t]);
  const span = a0 - aT;
  const fullGap = gap(T - 1);
  const newAbar: number[] = [];
  const newOneMinus: number[] = [];
  for (let t = 0; t < T; t++) {
    const q = (alpha[t] - aT) / span;
    const p = gap(t) / fullGap; // 1 - q, computed without cancellation
    newAbar.push(abar[0] * q * q);
    // 1 - ᾱ_0·q² = (1 - ᾱ_0) + ᾱ_0·(1-q)(1+q); at the terminal step ᾱ' = 0 so 1-ᾱ' is exactly 1.
    newOneMinus.push(q === 0 ? 1 : oneMinus[0] + abar[0] * p * (1 + q));
  }
  return buildSchedule(betasFromCumprod(newAbar, newOneMinus), newAbar, newOneMinus);
}

/**
 * β_t = (ᾱ_{t-1} - ᾱ_t)/ᾱ_{t-1}, taking the difference from whichever of ᾱ or 1-ᾱ is small (and
 * so carries the absolute accuracy); exactly 1 where ᾱ_t = 0.
 */
function betasFromCumprod(abar: number[], oneMinus: number[]): number[] {
  return abar.map((a, t) => {
    if (t === 0) return oneMinus[0];
    if (a === 0) return 1;
    const prev = abar[t - 1];
    const drop = prev < 0.5 ? prev - a : oneMinus[t] - oneMinus[t - 1];
    return drop / prev;
  });
}

/**
 * Continuous-time cosine log-SNR λ(t) = log(α/σ) for t in [0, 1], with ᾱ(t) = f(t)/f(0) as in
 * `cosine` (Nichol & Dhariwal 2021); the continuous form is the one DPM-Solver uses (Lu et al. 2022,
 * NoiseScheduleVP 'cosine'). λ(0) = +Infinity, λ(1) = -Infinity. With s = 0 it is -log tan(πt/2).
 */
export function cosineLogSnr(t: number, s = 0.008): number {
  requireReal('t', t, 0, 1);
  requireReal('s', s, 0);
  const k = Math.PI / (2 * (1 + s));
  // With θ = (t+s)·k, θ0 = s·k: cos θ = sin((1-t)·k), and 1-ᾱ = sin(θ-θ0)·sin(θ+θ0)/cos²θ0.
  return Math.log(Math.sin((1 - t) * k)) - 0.5 * Math.log(Math.sin(t * k) * Math.sin((t + 2 * s) * k));
}

/** The inverse of `cosineLogSnr`: the t in [0, 1] with λ(t) = lambda. */
export function cosineTimeFromLogSnr(lambda: number, s = 0.008): number {
  requireNumber('lambda', lambda);
  requireReal('s', s, 0);
  const k = Math.PI / (2 * (1 + s));
  const abar = 1 / (1 + Math.exp(-2 * lambda));
  const oneMinus = 1 / (1 + Math.exp(2 * lambda));
  const c0 = Math.cos(s * k);
  const s0 = Math.sin(s * k);
  // cos²θ = ᾱ·cos²θ0 and sin²θ = sin²θ0 + (1-ᾱ)·cos²θ0; atan2 stays accurate at both ends.
  const theta = Math.atan2(Math.sqrt(s0 * s0 + oneMinus * c0 * c0), Math.sqrt(abar) * c0);
  return Math.min(1, Math.max(0, theta / k - s));
}
