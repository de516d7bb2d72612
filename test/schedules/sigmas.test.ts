// Sigma tables (Karras, exponential, log-SNR uniform) and the sigma <-> timestep bridge.
import { describe, expect, it } from 'vitest';
import {
  exponentialSigmas,
  karrasSigmas,
  linear,
  logSnrUniformSigmas,
  rescaleZeroTerminalSnr,
  scaledLinear,
  sigmaToT,
  tToSigma,
} from '../../compiler/schedules/index.ts';
import { close, expectCode } from './helpers.ts';

const decreasing = (xs: readonly number[]): boolean => xs.every((x, i) => i === 0 || x < xs[i - 1]);

describe('karrasSigmas (EDM eq. 5)', () => {
  it('equals the formula, ends with 0 and decreases', () => {
    const [n, lo, hi, rho] = [12, 0.002, 80, 7];
    const sig = karrasSigmas(n, lo, hi, rho);
    expect(sig.length).toBe(n + 1);
    expect(sig[n]).toBe(0);
    for (let i = 0; i < n; i++) {
      const expected = (hi ** (1 / rho) + (i / (n - 1)) * (lo ** (1 / rho) - hi ** (1 / rho))) ** rho;
      expect(close(sig[i], expected, 1e-13)).toBe(true);
    }
    expect(sig[0]).toBe(hi);
    expect(sig[n - 1]).toBe(lo);
    expect(decreasing(sig)).toBe(true);
  });

  it('is uniform in sigma for rho = 1', () => {
    const sig = karrasSigmas(5, 1, 9, 1);
    [9, 7, 5, 3, 1, 0].forEach((s, i) => expect(sig[i]).toBeCloseTo(s, 13));
  });

  it('gives [sigmaMax, 0] for one step', () => {
    expect(karrasSigmas(1, 0.002, 80)).toEqual([80, 0]);
  });

  it('rejects an empty range, a non-positive rho and zero steps', () => {
    expectCode(() => karrasSigmas(10, 80, 0.002), 'SCH0003');
    expectCode(() => karrasSigmas(10, 0, 80), 'SCH0002');
    expectCode(() => karrasSigmas(10, 0.002, 80, 0), 'SCH0002');
    expectCode(() => karrasSigmas(0, 0.002, 80), 'SCH0001');
  });
});

describe('exponential and log-SNR uniform sigmas', () => {
  it('exponential sigmas have a constant log ratio', () => {
    const sig = exponentialSigmas(9, 0.01, 100);
    const step = Math.log(0.01 / 100) / 8;
    for (let i = 1; i < 9; i++) expect(close(Math.log(sig[i] / sig[i - 1]), step, 1e-12)).toBe(true);
    expect(sig[9]).toBe(0);
  });

  it('log-SNR uniform is log-uniform between e^{-λmax} and e^{-λmin}', () => {
    const byLambda = logSnrUniformSigmas(7, -3, 4);
    const bySigma = exponentialSigmas(7, Math.exp(-4), Math.exp(3));
    byLambda.forEach((s, i) => expect(close(s, bySigma[i], 1e-13)).toBe(true));
    // λ = -log s is evenly spaced by (4 - (-3))/6.
    for (let i = 0; i < 7; i++) expect(close(-Math.log(byLambda[i]), -3 + (7 / 6) * i, 1e-13, 1e-14)).toBe(true);
  });

  it('rejects a reversed log-SNR range', () => {
    expect(expectCode(() => logSnrUniformSigmas(5, 2, -1), 'SCH0003')).toMatch(/lambdaMin/);
  });
});

describe('sigma <-> timestep on a VP schedule', () => {
  const sched = scaledLinear();

  it('maps the schedule sigmas to their integer timesteps and back', () => {
    for (const t of [0, 1, 17, 500, 998, 999]) {
      expect(close(sigmaToT(sched, sched.veSigma[t]), t, 1e-12, 1e-12)).toBe(true);
      expect(tToSigma(sched, t)).toBe(sched.veSigma[t]);
    }
  });

  it('interpolates linearly in log sigma between timesteps', () => {
    const k = 321;
    const logMid = 0.25 * Math.log(sched.veSigma[k]) + 0.75 * Math.log(sched.veSigma[k + 1]);
    expect(close(sigmaToT(sched, Math.exp(logMid)), k + 0.75, 1e-12)).toBe(true);
    expect(close(tToSigma(sched, k + 0.75), Math.exp(logMid), 1e-13)).toBe(true);
  });

  it('round-trips Karras sigmas inside the schedule range', () => {
    const sig = karrasSigmas(25, sched.veSigma[0], sched.veSigma[999]).slice(0, -1);
    const ts = sigmaToT(sched, sig);
    expect(decreasing(ts)).toBe(true);
    tToSigma(sched, ts).forEach((s, i) => expect(close(s, sig[i], 1e-12)).toBe(true));
  });

  it('clamps sigmas outside the schedule, so the final 0 maps to t = 0', () => {
    expect(sigmaToT(sched, 0)).toBe(0);
    expect(sigmaToT(sched, 1e-6)).toBe(0);
    expect(sigmaToT(sched, 1e6)).toBe(999);
  });

  it('handles the infinite terminal sigma of a zero-SNR schedule', () => {
    const z = rescaleZeroTerminalSnr(linear());
    expect(sigmaToT(z, Infinity)).toBe(999);
    expect(sigmaToT(z, z.veSigma[998] * 2)).toBe(998);
    expect(tToSigma(z, 998.5)).toBe(Infinity);
  });

  it('rejects negative or NaN sigmas and timesteps outside [0, T-1]', () => {
    expectCode(() => sigmaToT(sched, -1), 'SCH0002');
    expectCode(() => sigmaToT(sched, Number.NaN), 'SCH0002');
    expectCode(() => tToSigma(sched, 999.5), 'SCH0002');
    expectCode(() => tToSigma(sched, [1, -1]), 'SCH0002');
  });
});
