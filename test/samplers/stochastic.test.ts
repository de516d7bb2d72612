/**
 * Stochastic samplers of std/samplers on Gaussian data (examples/gaussian.dn), checked by moments of
 * a few thousand samples. With an affine denoiser every sampler step is affine in the sample plus
 * fresh Gaussian noise, so the exact mean and variance of what a sampler draws — discretization
 * included — follow from a plain loop over its steps, written here from the papers' formulas. The
 * samples must match those within statistical tolerance (4 standard errors).
 *
 * Against the data distribution itself: the consistency sampler is exact at any step count. The
 * ancestral and SDE samplers converge to it at weak order 1 only, with a large constant (DDPM with 40
 * trailing steps draws variances 17 % and 24 % low here; within 2 % needs about 500 steps): DDPM is
 * run once with 1000 steps against N(mu, v) itself, and the plain loops show the bias vanishing for
 * the others.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Program } from '../../dsl/index.ts';
import { compileProgram, linearAlphaBar, moments, MU, sample, samplerGraph, VAR, type Level } from './helpers.ts';

const B = 4096;
const SEED = 5;
const ab = linearAlphaBar();
const level = (t: number): Level => ({ a: Math.sqrt(ab[t]), s: Math.sqrt(1 - ab[t]) });
const CLEAN: Level = { a: 1, s: 0 };

/** Trailing timesteps (Lin et al. 2023) for N dividing 1000, then clean data. */
const trailing = (N: number): Level[] => [...Array.from({ length: N }, (_, k) => level(999 - (1000 / N) * k)), CLEAN];

/** Karras et al. 2022 sigmas between the linear schedule's smallest and largest VE sigma, then 0. */
function karras(N: number): number[] {
  const ve = (t: number): number => Math.sqrt((1 - ab[t]) / ab[t]);
  const [lo, hi] = [ve(0) ** (1 / 7), ve(999) ** (1 / 7)];
  return [...Array.from({ length: N }, (_, i) => (hi + (i / (N - 1)) * (lo - hi)) ** 7), 0];
}

/** Slope of E[x0 | x_t] in x_t at VP level (a, s) for data variance v: D = mu + k·(x - a·mu). */
const slope = (v: number, a: number, s: number): number => (a * v) / (a * a * v + s * s);

interface Moments {
  mean: number;
  variance: number;
}

/** DDIM with eta (eta = 1 is DDPM; Song et al. 2021, eq. 12): x_s = a_s·D + sqrt(s_s² - c²)·eps + c·z. */
function ddimChain(levels: Level[], eta: number, mu: number, v: number): Moments {
  let m = 0,
    q = 1;
  for (let i = 0; i + 1 < levels.length; i++) {
    const { a: at, s: st } = levels[i],
      { a: as, s: ss } = levels[i + 1];
    const k = slope(v, at, st);
    const c = (eta * (ss / st) * Math.sqrt(st * st - ss * ss)) / as;
    const e = Math.sqrt(ss * ss - c * c);
    const lin = as * k + (e * (1 - at * k)) / st;
    m = lin * m + (as - (e * at) / st) * (mu - k * at * mu);
    q = lin * lin * q + c * c;
  }
  return { mean: m, variance: q };
}

/**
 * VE samplers on u = x/alpha - mu, where the slope eps = (1 - k·alpha)·u/s: Euler ancestral
 * (k-diffusion's get_ancestral_step), Euler and Heun with EDM churn (Karras et al. 2022, Algorithm 2).
 */
function veChain(sigmas: number[], opts: { eta?: number; churn?: number; heun?: boolean }, mu: number, v: number): Moments {
  const N = sigmas.length - 1;
  const gain = (s: number): number => {
    const a = 1 / Math.hypot(1, s);
    return (1 - slope(v, a, s * a) * a) / s;
  };
  let m = -mu,
    q = 1 + sigmas[0] ** 2;
  const gamma = Math.min((opts.churn ?? 0) / N, Math.SQRT2 - 1);
  for (let i = 0; i < N; i++) {
    const s = sigmas[i],
      next = sigmas[i + 1];
    const up = Math.min(next, ((opts.eta ?? 0) * next * Math.sqrt(s * s - next * next)) / s);
    const hat = s * (1 + gamma);
    q += hat * hat - s * s;
    const dt = Math.sqrt(next * next - up * up) - hat;
    const euler = 1 + dt * gain(hat);
    const A = opts.heun && next > 0 ? 1 + (dt / 2) * (gain(hat) + gain(next) * euler) : euler;
    m *= A;
    q = A * A * q + up * up;
  }
  return { mean: m + mu, variance: q };
}

/** SDE-DPM-Solver++(2M) (Lu et al. 2022) on (x, D_prev) jointly: x_s = (s_s/s_t)e^-h·x + a_s(1 - e^-2h)·D' + s_s·sqrt(1 - e^-2h)·z. */
function sdeChain(levels: Level[], mu: number, v: number): Moments {
  let mean = [0, 0];
  let cov = [
    [1, 0],
    [0, 0],
  ];
  const lambda = levels.map((l) => Math.log(l.a / l.s));
  for (let i = 0; i + 1 < levels.length; i++) {
    const { a: at, s: st } = levels[i],
      { a: as, s: ss } = levels[i + 1];
    const h = lambda[i + 1] - lambda[i];
    const k = slope(v, at, st),
      o = mu * (1 - k * at);
    const first = i === 0 || !Number.isFinite(h);
    const r = first ? 1 : (lambda[i] - lambda[i - 1]) / h;
    const [w0, w1] = first ? [1, 0] : [1 + 1 / (2 * r), -1 / (2 * r)];
    const keep = Number.isFinite(h) ? 1 - Math.exp(-2 * h) : 1;
    const xt = Number.isFinite(h) ? (ss / st) * Math.exp(-h) : 0;
    const M = [
      [xt + as * keep * w0 * k, as * keep * w1],
      [k, 0],
    ];
    mean = [M[0][0] * mean[0] + M[0][1] * mean[1] + as * keep * w0 * o, k * mean[0] + o];
    // cov' = M·cov·Mᵀ, plus the fresh noise on x
    const MC = M.map((row) => [0, 1].map((j) => row[0] * cov[0][j] + row[1] * cov[1][j]));
    cov = MC.map((row) => M.map((other) => row[0] * other[0] + row[1] * other[1]));
    cov[0][0] += ss * ss * keep;
  }
  return { mean: mean[0], variance: cov[0][0] };
}

/** Multistep consistency sampling with the exact flow map f(x) = mu + sqrt(v/(a²v + s²))·(x - a·mu). */
function consistencyChain(levels: Level[], mu: number, v: number): Moments {
  let m = 0,
    q = 1;
  for (let i = 0; i + 1 < levels.length; i++) {
    const { a, s } = levels[i],
      next = levels[i + 1];
    const g = Math.sqrt(v / (a * a * v + s * s));
    m = next.a * (mu + g * (m - a * mu));
    q = next.a * next.a * g * g * q + next.s * next.s;
  }
  return { mean: m, variance: q };
}

const CASES: Record<string, { call: string; exact: (mu: number, v: number) => Moments }> = {
  ddpm: { call: 'ddpm(Gaussian2D, steps: 40)', exact: (mu, v) => ddimChain(trailing(40), 1, mu, v) },
  ddim_eta: { call: 'ddim(Gaussian2D, steps: 40, eta: 0.5)', exact: (mu, v) => ddimChain(trailing(40), 0.5, mu, v) },
  sde_dpmpp_2m: { call: 'sde_dpmpp_2m(Gaussian2D, steps: 40)', exact: (mu, v) => sdeChain(trailing(40), mu, v) },
  euler_ancestral: { call: 'euler_ancestral(Gaussian2D, steps: 40)', exact: (mu, v) => veChain(karras(40), { eta: 1 }, mu, v) },
  euler_churn: { call: 'euler(Gaussian2D, steps: 40, churn: 10.0)', exact: (mu, v) => veChain(karras(40), { churn: 10 }, mu, v) },
  heun_churn: { call: 'heun(Gaussian2D, steps: 20, churn: 5.0)', exact: (mu, v) => veChain(karras(20), { churn: 5, heun: true }, mu, v) },
  consistency: { call: 'consistency(GaussianConsistency, steps: 4)', exact: (mu, v) => consistencyChain(trailing(4), mu, v) },
};

let program: Program;
const drawn = new Map<string, { mean: number[]; variance: number[] }>();

beforeAll(async () => {
  program = compileProgram(
    Object.entries(CASES)
      .map(([name, c]) => `sampler ${name} = ${c.call}`)
      .join('\n'),
  );
  for (const name of Object.keys(CASES)) drawn.set(name, moments(await sample(samplerGraph(program, name), SEED, B), 2));
});

function expectMoments(got: { mean: number[]; variance: number[] }, want: (d: number) => Moments): void {
  for (let d = 0; d < 2; d++) {
    const { mean, variance } = want(d);
    expect(Math.abs(got.mean[d] - mean), `mean ${d}: ${got.mean[d]} vs ${mean}`).toBeLessThan(4 * Math.sqrt(variance / B));
    expect(Math.abs(got.variance[d] - variance), `variance ${d}: ${got.variance[d]} vs ${variance}`).toBeLessThan(4 * variance * Math.sqrt(2 / B));
  }
}

describe('stochastic samplers draw the exact distribution of their discretization', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: mean and variance of ${B} samples within 4 standard errors`, () => {
      expectMoments(drawn.get(name)!, (d) => c.exact(MU[d], VAR[d]));
    });
  }
});

describe('against the data distribution N(mu, v)', () => {
  it('the consistency sampler draws it at any step count', () => {
    expectMoments(drawn.get('consistency')!, (d) => ({ mean: MU[d], variance: VAR[d] }));
  });

  it('the ancestral samplers approach it at weak order 1 as steps grow (plain loops)', () => {
    const bias = (N: number): number => Math.abs(ddimChain(trailing(N), 1, MU[1], VAR[1]).variance / VAR[1] - 1);
    expect(bias(40)).toBeGreaterThan(0.1);
    expect(bias(1000)).toBeLessThan(0.02);
    expect(bias(40) / bias(200)).toBeGreaterThan(3);
    const sde = (N: number): number => Math.abs(sdeChain(trailing(N), MU[1], VAR[1]).variance / VAR[1] - 1);
    expect(sde(1000)).toBeLessThan(sde(40) / 10);
  });

  it('DDPM with 1000 steps draws N(mu, v) itself: moments within 4 standard errors plus its 2 % bias', async () => {
    const long = compileProgram('sampler ddpm_long = ddpm(Gaussian2D, steps: 1000)');
    const got = moments(await sample(samplerGraph(long, 'ddpm_long'), SEED + 1, B), 2);
    for (let d = 0; d < 2; d++) {
      const bias = Math.abs(ddimChain(trailing(1000), 1, MU[d], VAR[d]).variance / VAR[d] - 1);
      expect(bias).toBeLessThan(0.02);
      expect(Math.abs(got.mean[d] - MU[d])).toBeLessThan(4 * Math.sqrt(VAR[d] / B));
      expect(Math.abs(got.variance[d] - VAR[d])).toBeLessThan(VAR[d] * (4 * Math.sqrt(2 / B) + bias));
    }
  });

  it('noise actually enters: two seeds give different samples', async () => {
    const graph = samplerGraph(program, 'ddpm');
    const [a, b] = [await sample(graph, 1, 8), await sample(graph, 2, 8)];
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});
