/**
 * Classifier-free guidance, class conditioning and the Gaussian-mixture model (examples/gmm.dn):
 * guided DDIM steps against a plain-loop implementation of the same steps on the closed-form mixture
 * posterior mean, and samples of the conditional and unconditional mixtures against their moments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Program } from '../../dsl/index.ts';
import { compileProgram, GMM, gmmPosteriorMean, initialNoise, linearAlphaBar, moments, rms, sample, samplerGraph, type Level } from './helpers.ts';

const B = 64;
const SEED = 9;
const ab = linearAlphaBar();
const level = (t: number): Level => ({ a: Math.sqrt(ab[t]), s: Math.sqrt(1 - ab[t]) });
/** Labels 0, 1, 2, 3, 4 (= null_class, the whole mixture), cycled over the batch. */
const labels = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i % 5);

let program: Program;

beforeAll(() => {
  program = compileProgram(
    [
      'sampler guided = ddim(GMMClass, steps: 2, guidance: 3.0)',
      'sampler rescaled = ddim(GMMClass, steps: 2, guidance: 3.0, guidance_rescale: 0.7)',
      'sampler conditional = dpmpp_2m(GMMClass, steps: 40, sigmas: "karras")',
      'sampler mixture = dpmpp_2m(GMM2D, steps: 40, sigmas: "karras")',
      'sampler ddpm = ddpm(Gaussian2D, steps: 20)',
      'sampler ddim_eta1 = ddim(Gaussian2D, steps: 20, eta: 1.0)',
    ].join('\n'),
  );
});

/** Population standard deviation over the coordinates of one sample (guidance rescale's std). */
const std = (xs: readonly number[]): number => {
  const m = xs.reduce((u, v) => u + v, 0) / xs.length;
  return Math.sqrt(xs.reduce((u, v) => u + (v - m) ** 2, 0) / xs.length);
};

/**
 * Two DDIM (eta = 0) steps 999 → 499 → clean on the guided noise prediction
 * eps = eps_u + w·(eps_c - eps_u) (Ho & Salimans 2022), optionally rescaled by phi
 * (Lin et al. 2023, §3.4): eps ← phi·eps·std(eps_c)/std(eps) + (1 - phi)·eps. Also returns how much
 * the rescale amplifies relative rounding errors: |eps|/std(eps) is large when a sample's two
 * coordinates are nearly equal, and the sampler computes in f32.
 */
function guidedDdim(x: number[], y: number, w: number, phi: number): { x: number[]; amplification: number } {
  const levels = [level(999), level(499), { a: 1, s: 0 }];
  let amplification = 1;
  for (let i = 0; i < 2; i++) {
    const { a, s } = levels[i],
      next = levels[i + 1];
    const eps = (d: number[]): number[] => x.map((xd, k) => (xd - a * d[k]) / s);
    const epsC = eps(gmmPosteriorMean(x, levels[i], y === 4 ? undefined : y));
    const epsU = eps(gmmPosteriorMean(x, levels[i]));
    let g = epsU.map((u, k) => u + w * (epsC[k] - u));
    if (phi > 0) {
      const ratio = std(epsC) / std(g);
      amplification += Math.hypot(...g) / std(g) + Math.hypot(...epsC) / std(epsC);
      g = g.map((e) => phi * e * ratio + (1 - phi) * e);
    }
    const x0 = x.map((xd, k) => (xd - s * g[k]) / a);
    x = x0.map((d, k) => next.a * d + next.s * g[k]);
  }
  return { x, amplification };
}

async function compareWithPlainLoop(name: string, w: number, phi: number): Promise<void> {
  const graph = samplerGraph(program, name);
  const y = labels(B);
  const out = await sample(graph, SEED, B, { y });
  const z = initialNoise(graph, SEED, 2 * B);
  for (let b = 0; b < B; b++) {
    const want = guidedDdim([z[2 * b], z[2 * b + 1]], y[b], w, phi);
    const err = Math.hypot(out[2 * b] - want.x[0], out[2 * b + 1] - want.x[1]);
    expect(err, `sample ${b}, label ${y[b]}`).toBeLessThan(5e-5 * want.amplification);
  }
}

describe('classifier-free guidance', () => {
  it('combines the conditional and unconditional predictions with the guidance scale', () => compareWithPlainLoop('guided', 3, 0));

  it('applies guidance rescale per sample over its coordinates', () => compareWithPlainLoop('rescaled', 3, 0.7));

  it('is a different sampler from plain conditional sampling', async () => {
    const y = labels(B);
    const [guided, rescaled] = [
      await sample(samplerGraph(program, 'guided'), SEED, B, { y }),
      await sample(samplerGraph(program, 'rescaled'), SEED, B, { y }),
    ];
    expect(rms(guided, rescaled)).toBeGreaterThan(1e-2);
  });
});

describe('the Gaussian-mixture model', () => {
  const N = 2048;

  it('draws component y for label y (class-conditional, guidance 1)', async () => {
    const y = Int32Array.from({ length: N }, () => 1);
    const got = moments(await sample(samplerGraph(program, 'conditional'), SEED, N, { y }), 2);
    for (let d = 0; d < 2; d++) {
      const v = GMM.vars[1][d];
      expect(Math.abs(got.mean[d] - GMM.means[1][d])).toBeLessThan(4 * Math.sqrt(v / N));
      expect(Math.abs(got.variance[d] - v)).toBeLessThan(4 * v * Math.sqrt(2 / N) + 0.01 * v);
    }
  });

  it('draws the mixture without conditioning, matching its mean and variance', async () => {
    const got = moments(await sample(samplerGraph(program, 'mixture'), SEED, N), 2);
    for (let d = 0; d < 2; d++) {
      const mean = GMM.weights.reduce((u, w, k) => u + w * GMM.means[k][d], 0);
      const second = GMM.weights.reduce((u, w, k) => u + w * (GMM.vars[k][d] + GMM.means[k][d] ** 2), 0);
      const variance = second - mean * mean;
      // The mixture is not Gaussian: 5 standard errors with the Gaussian formula leave room for its kurtosis.
      expect(Math.abs(got.mean[d] - mean)).toBeLessThan(4 * Math.sqrt(variance / N));
      expect(Math.abs(got.variance[d] - variance)).toBeLessThan(5 * variance * Math.sqrt(2 / N));
    }
  });
});

describe('two implementations of ancestral sampling', () => {
  it('ddpm (coefficient tables) equals ddim with eta = 1 (noise-prediction form) on the same noise', async () => {
    const [a, b] = [await sample(samplerGraph(program, 'ddpm'), SEED, B), await sample(samplerGraph(program, 'ddim_eta1'), SEED, B)];
    expect(rms(a, b)).toBeLessThan(1e-5);
  });
});
