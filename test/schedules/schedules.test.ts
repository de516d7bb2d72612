// Discrete VP schedules, zero-terminal-SNR rescaling and the continuous cosine log-SNR, checked
// against plain-loop re-implementations of the paper formulas and against published values.
import { describe, expect, it } from 'vitest';
import {
  cosine,
  cosineLogSnr,
  cosineTimeFromLogSnr,
  linear,
  rescaleZeroTerminalSnr,
  scaledLinear,
  type VpSchedule,
} from '../../compiler/schedules/index.ts';
import { close, expectCode } from './helpers.ts';

function expectAllClose(actual: readonly number[], expected: readonly number[], rtol: number, atol = 0): void {
  expect(actual.length).toBe(expected.length);
  const bad = actual.findIndex((a, i) => !close(a, expected[i], rtol, atol));
  expect(bad, bad < 0 ? '' : `index ${bad}: ${actual[bad]} vs ${expected[bad]}`).toBe(-1);
}

function cumprodOneMinus(betas: readonly number[]): number[] {
  const out: number[] = [];
  let p = 1;
  for (const b of betas) {
    p *= 1 - b;
    out.push(p);
  }
  return out;
}

function expectConsistent(s: VpSchedule): void {
  for (let t = 0; t < s.T; t++) {
    expect(close(s.alpha[t] ** 2 + s.sigma[t] ** 2, 1, 1e-14)).toBe(true);
    expect(close(s.alpha[t] ** 2, s.alphasCumprod[t], 1e-14)).toBe(true);
    if (s.alphasCumprod[t] > 0) {
      expect(close(s.lambda[t], Math.log(s.alpha[t] / s.sigma[t]), 1e-12, 1e-14)).toBe(true);
      expect(close(s.veSigma[t], s.sigma[t] / s.alpha[t], 1e-13)).toBe(true);
    }
  }
}

describe('linear and scaled-linear schedules', () => {
  it('linear betas run from beta0 to beta1 and ᾱ is their cumulative product', () => {
    const s = linear(1e-4, 0.02, 1000);
    expect(s.T).toBe(1000);
    expect(s.betas[0]).toBe(1e-4);
    expect(s.betas[999]).toBe(0.02);
    expect(close(s.betas[500], 1e-4 + (0.02 - 1e-4) * (500 / 999), 1e-14)).toBe(true);
    expectAllClose(s.alphasCumprod, cumprodOneMinus(s.betas), 1e-12);
    expectConsistent(s);
  });

  it('keeps σ accurate at t = 0, where 1 - ᾱ cancels', () => {
    // ᾱ_0 = 1 - β_0, so σ_0 = √β_0 exactly in real arithmetic.
    expect(close(linear().sigma[0], Math.sqrt(1e-4), 1e-15)).toBe(true);
  });

  it('scaled linear squares a linspace of square roots', () => {
    const s = scaledLinear(0.00085, 0.012, 1000);
    const r0 = Math.sqrt(0.00085);
    const r1 = Math.sqrt(0.012);
    expectAllClose(
      s.betas,
      s.betas.map((_, i) => (r0 + ((r1 - r0) * i) / 999) ** 2),
      1e-13,
    );
    expectAllClose(s.alphasCumprod, cumprodOneMinus(s.betas), 1e-12);
    expectConsistent(s);
  });

  it("matches Stable Diffusion's published terminal values", () => {
    const s = scaledLinear();
    // Lin et al. 2023: √ᾱ_T = 0.068265 for SD; k-diffusion's SD sigma range 0.0292 .. 14.6146.
    expect(s.alpha[999]).toBeCloseTo(0.068265, 6);
    expect(s.veSigma[0]).toBeCloseTo(0.0292, 4);
    expect(s.veSigma[999]).toBeCloseTo(14.6146, 4);
  });

  it('rejects betas outside (0, 1) and a non-integer T', () => {
    expectCode(() => linear(0, 0.02), 'SCH0002');
    expectCode(() => linear(1e-4, 1.5), 'SCH0002');
    expectCode(() => scaledLinear(0.00085, Number.NaN), 'SCH0002');
    expectCode(() => linear(1e-4, 0.02, 10.5), 'SCH0001');
    expectCode(() => cosine(0), 'SCH0001');
  });
});

describe('cosine schedule (Nichol & Dhariwal 2021)', () => {
  const T = 1000;
  const s = 0.008;
  const f = (t: number): number => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;

  it('ᾱ_i = f(i+1)/f(0) wherever beta is not clipped', () => {
    const sched = cosine(T, s, 0.999);
    const expected = Array.from({ length: T - 1 }, (_, i) => f(i + 1) / f(0));
    expectAllClose(sched.alphasCumprod.slice(0, T - 1), expected, 1e-9);
    expectConsistent(sched);
  });

  it('clips the last beta at maxBeta instead of reaching ᾱ = 0', () => {
    const sched = cosine(T, s, 0.999);
    expect(sched.betas[T - 1]).toBe(0.999);
    expect(sched.betas.slice(0, T - 1).every((b) => b < 0.999)).toBe(true);
    expect(close(sched.alphasCumprod[T - 1], sched.alphasCumprod[T - 2] * 0.001, 1e-12)).toBe(true);
  });

  it('continuous log-SNR at t = (i+1)/T agrees with the discrete schedule', () => {
    const sched = cosine(T, s);
    for (const i of [0, 10, 250, 500, 900, 998]) {
      expect(close(cosineLogSnr((i + 1) / T, s), sched.lambda[i], 1e-9)).toBe(true);
    }
  });

  it('with s = 0 the log-SNR is -log tan(πt/2)', () => {
    for (const t of [0.01, 0.2, 0.5, 0.77, 0.999]) {
      expect(close(cosineLogSnr(t, 0), -Math.log(Math.tan((Math.PI * t) / 2)), 1e-12, 1e-15)).toBe(true);
    }
  });

  it('is infinite at the ends and inverts', () => {
    expect(cosineLogSnr(0)).toBe(Infinity);
    expect(cosineLogSnr(1)).toBe(-Infinity);
    for (const t of [1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999]) {
      expect(close(cosineTimeFromLogSnr(cosineLogSnr(t)), t, 1e-9, 1e-12)).toBe(true);
    }
    expect(cosineTimeFromLogSnr(Infinity)).toBe(0);
    expect(close(cosineTimeFromLogSnr(-Infinity), 1, 1e-15)).toBe(true);
  });

  it('rejects t outside [0, 1] and a NaN log-SNR', () => {
    expectCode(() => cosineLogSnr(1.5), 'SCH0002');
    expectCode(() => cosineTimeFromLogSnr(Number.NaN), 'SCH0002');
  });
});

describe('rescaleZeroTerminalSnr (Lin et al. 2023)', () => {
  for (const [name, base] of [
    ['scaled linear', scaledLinear()],
    ['linear', linear()],
  ] as const) {
    it(`gives ᾱ_T = 0 exactly and keeps ᾱ_0 for ${name}`, () => {
      const z = rescaleZeroTerminalSnr(base);
      expect(z.alphasCumprod[999]).toBe(0);
      expect(z.alphasCumprod[0]).toBe(base.alphasCumprod[0]);
      expect(z.sigma[999]).toBe(1);
      expect(z.betas[999]).toBe(1);
      expect(z.lambda[999]).toBe(-Infinity);
      expect(z.veSigma[999]).toBe(Infinity);
    });

    it(`shifts and scales √ᾱ affinely for ${name}`, () => {
      const z = rescaleZeroTerminalSnr(base);
      const a0 = base.alpha[0];
      const aT = base.alpha[999];
      const expected = base.alpha.map((a) => ((a - aT) * a0) / (a0 - aT));
      expectAllClose(z.alpha, expected, 1e-12, 1e-15);
      expectConsistent(z);
      // The betas still reproduce ᾱ as a cumulative product.
      expectAllClose(z.alphasCumprod.slice(0, 999), cumprodOneMinus(z.betas).slice(0, 999), 1e-10);
    });
  }

  it('needs at least two timesteps', () => {
    expectCode(() => rescaleZeroTerminalSnr(linear(1e-4, 0.02, 1)), 'SCH0001');
  });
});
