/**
 * The progressive-distillation target (Salimans & Ho, ICLR 2022, "Progressive Distillation for Fast
 * Sampling of Diffusion Models", Algorithm 2), per value, in float64:
 *
 *   two teacher DDIM steps   z_t → z_t' → z_t''
 *   x̃ = (z_t'' − (σ_t''/σ_t)·z_t) / (α_t'' − (σ_t''/σ_t)·α_t)
 *
 * x̃ is the x0 for which ONE DDIM step (η = 0) from z_t lands exactly on z_t'':
 * α''·x̃ + σ''·(z − α·x̃)/σ = z''. The model is trained in its own output space (ε, x0 or v), with
 * the target that decodes to x̃ and a weight that makes the loss the paper's truncated-SNR x0 loss
 * max(SNR, 1)·‖x̂0 − x̃‖² (Salimans & Ho 2022, §4 "truncated SNR weighting"), SNR = α²/σ².
 */
import type { Prediction } from '../train/training-spec.ts';

/** (x0, ε) decoded from a model output, as the stdlib's denoise() does (v = α·ε − σ·x0). */
export function decode(prediction: Prediction, x: number, out: number, alpha: number, sigma: number): [number, number] {
  if (prediction === 'eps') return [(x - sigma * out) / alpha, out];
  if (prediction === 'x0') return [out, (x - alpha * out) / sigma];
  return [alpha * x - sigma * out, sigma * x + alpha * out];
}

/** One deterministic DDIM step (Song et al. 2021, η = 0) to level (α_s, σ_s). */
export function ddimStep(x0: number, eps: number, alphaS: number, sigmaS: number): number {
  return alphaS * x0 + sigmaS * eps;
}

/** x̃: the x0 that carries z_t (level α, σ) to z'' (level α'', σ'') in one DDIM step. */
export function distillationX0(z: number, zpp: number, alpha: number, sigma: number, alphaPP: number, sigmaPP: number): number {
  const ratio = sigmaPP / sigma;
  return (zpp - ratio * z) / (alphaPP - ratio * alpha);
}

/** The model output that decodes to x̃ at z (level α, σ): ε̃ = (z − α·x̃)/σ, x̃, or ṽ = α·ε̃ − σ·x̃. */
export function outputTarget(prediction: Prediction, z: number, x0: number, alpha: number, sigma: number): number {
  if (prediction === 'x0') return x0;
  const eps = (z - alpha * x0) / sigma;
  return prediction === 'eps' ? eps : alpha * eps - sigma * x0;
}

/**
 * Weight of (output − target)² that equals max(SNR, 1)·(x̂0 − x̃)²: x̂0 moves by ∂x0/∂out = −σ/α (ε),
 * 1 (x0) or −σ (v) per unit of output, so the weight is max(σ²/α², 1), max(α²/σ², 1) or max(α², σ²).
 */
export function outputWeight(prediction: Prediction, alpha: number, sigma: number): number {
  const snr = (alpha * alpha) / (sigma * sigma);
  const slope = prediction === 'eps' ? sigma / alpha : prediction === 'x0' ? 1 : sigma;
  return Math.max(snr, 1) * slope * slope;
}
