// VE solver tables (Euler, ancestral Euler, Heun, LMS): formulas, the exactness of the LMS weights on
// polynomials, and convergence orders against the exact Gaussian flow.
import { describe, expect, it } from 'vitest';
import {
  ddimCoefficients,
  eulerCoefficients,
  exponentialSigmas,
  heunCoefficients,
  karrasSigmas,
  levelsFromSigmas,
  lmsCoefficients,
} from '../../compiler/schedules/index.ts';
import { close, denoiseVe, expectCode, flowVe, gaussian, observedOrder, seededUniform } from './helpers.ts';

const sigmas = karrasSigmas(10, 0.002, 80);
const slope = (x: number, s: number): number => (x - denoiseVe(gaussian, x, s)) / s;

describe('Euler', () => {
  it('steps by s_{i+1} - s_i without noise when eta = 0', () => {
    const t = eulerCoefficients(sigmas);
    t.dt.forEach((dt, i) => expect(close(dt, sigmas[i + 1] - sigmas[i], 1e-15)).toBe(true));
    expect(t.noise.every((n) => n === 0)).toBe(true);
    expect(t.sigma).toEqual(sigmas.slice(0, -1));
  });

  it('ancestral split keeps s_down² + s_up² = s_{i+1}² and is DDIM η noise in VE units', () => {
    const t = eulerCoefficients(sigmas, 1);
    const ddim = ddimCoefficients(levelsFromSigmas(sigmas), 1);
    const lv = levelsFromSigmas(sigmas);
    t.dt.forEach((dt, i) => {
      const down = sigmas[i] + dt;
      expect(close(down ** 2 + t.noise[i] ** 2, sigmas[i + 1] ** 2, 1e-12, 1e-18)).toBe(true);
      // DDIM's noise c is on x_vp; the VE sample is x_vp/α, so c/α_s is the VE noise scale.
      expect(close(t.noise[i], ddim.noise[i] / lv.alpha[i + 1], 1e-10, 1e-18)).toBe(true);
    });
  });

  it('rejects increasing or infinite sigmas and a negative eta', () => {
    expectCode(() => eulerCoefficients([1, 2, 0]), 'SCH0003');
    expectCode(() => eulerCoefficients([Infinity, 2, 0]), 'SCH0003');
    expectCode(() => eulerCoefficients([3]), 'SCH0003');
    expectCode(() => eulerCoefficients(sigmas, -1), 'SCH0002');
  });
});

describe('Heun (EDM Algorithm 1)', () => {
  it('corrects every step except the last one to sigma 0', () => {
    const t = heunCoefficients(sigmas);
    expect(t.correct).toEqual([...Array(9).fill(1), 0]);
    expect(heunCoefficients([4, 2, 1]).correct).toEqual([1, 1]);
    expect(t.sigmaNext).toEqual(sigmas.slice(1));
  });

  it('converges at second order where Euler converges at first', () => {
    const solve = (n: number, heun: boolean): number => {
      const sig = exponentialSigmas(n, 0.05, 20).slice(0, -1);
      const t = heunCoefficients(sig);
      let x = 1.3;
      t.dt.forEach((dt, i) => {
        const d = slope(x, t.sigma[i]);
        const pred = x + dt * d;
        x = heun && t.correct[i] ? x + (dt * (d + slope(pred, t.sigmaNext[i]))) / 2 : pred;
      });
      return Math.abs(x - flowVe(gaussian, 1.3, sig[0], sig[sig.length - 1]));
    };
    const orderOf = (heun: boolean): number => observedOrder(solve(40, heun), solve(80, heun));
    expect(orderOf(false)).toBeGreaterThan(0.9);
    expect(orderOf(false)).toBeLessThan(1.1);
    expect(orderOf(true)).toBeGreaterThan(1.9);
    expect(orderOf(true)).toBeLessThan(2.1);
  });
});

describe('LMS', () => {
  it('integrates every polynomial of degree < order exactly', () => {
    const rand = seededUniform(3);
    for (const order of [1, 2, 3, 4]) {
      const t = lmsCoefficients(sigmas, order);
      t.order.forEach((q, i) => {
        expect(q).toBe(Math.min(order, i + 1));
        // A random polynomial of degree q-1 and its antiderivative.
        const c = Array.from({ length: q }, () => rand());
        const p = (s: number): number => c.reduce((acc, ck, k) => acc + ck * s ** k, 0);
        const P = (s: number): number => c.reduce((acc, ck, k) => acc + (ck * s ** (k + 1)) / (k + 1), 0);
        let got = 0;
        for (let j = 0; j < q; j++) got += t.coeffs[j][i] * p(sigmas[i - j]);
        const exact = P(sigmas[i + 1]) - P(sigmas[i]);
        expect(close(got, exact, 1e-10, 1e-12), `order ${order} step ${i}: ${got} vs ${exact}`).toBe(true);
      });
    }
  });

  it('is Euler at order 1 and leaves unused lags at 0', () => {
    const t = lmsCoefficients(sigmas, 1);
    t.coeffs[0].forEach((c, i) => expect(close(c, sigmas[i + 1] - sigmas[i], 1e-14)).toBe(true));
    const t4 = lmsCoefficients(sigmas, 4);
    expect([t4.coeffs[1][0], t4.coeffs[2][0], t4.coeffs[3][0], t4.coeffs[2][1], t4.coeffs[3][2]]).toEqual([0, 0, 0, 0, 0]);
  });

  it('has local truncation error of order q+1 on the exact Gaussian flow', () => {
    const localError = (q: number, h: number): number => {
      // Log-uniform nodes ending at sigma 0.2 with log-step h; the last step is the one measured.
      const sig = Array.from({ length: q + 1 }, (_, j) => 0.2 * Math.exp((q - 1 - j) * h));
      const x = sig.map((s) => flowVe(gaussian, 1.3, sig[0], s));
      const t = lmsCoefficients(sig, q);
      const i = q - 1;
      let pred = x[i];
      for (let j = 0; j < q; j++) pred += t.coeffs[j][i] * slope(x[i - j], sig[i - j]);
      return Math.abs(pred - x[q]);
    };
    for (const q of [1, 2, 3, 4]) {
      const order = observedOrder(localError(q, 0.05), localError(q, 0.025));
      expect(order, `order ${q}`).toBeGreaterThan(q + 0.8);
      expect(order, `order ${q}`).toBeLessThan(q + 1.2);
    }
  });

  it('rejects orders above 4', () => {
    expectCode(() => lmsCoefficients(sigmas, 5), 'SCH0001');
  });
});
