// VP solver tables (DDIM, DPM-Solver++, SDE-DPM-Solver++), checked against the paper formulas
// written out here, against each other where the papers say they coincide, and against the exact
// probability-flow solution for Gaussian data.
import { describe, expect, it } from 'vitest';
import {
  ddimCoefficients,
  dpmSolverPlusPlus,
  karrasSigmas,
  levelsFromLogSnr,
  levelsFromSigmas,
  levelsFromTimesteps,
  linear,
  logSnrUniformSigmas,
  rescaleZeroTerminalSnr,
  scaledLinear,
  sdeDpmSolverPlusPlus,
  spacingTrailing,
  type NoiseLevels,
  type StepTable,
} from '../../compiler/schedules/index.ts';
import { expIntegral } from '../../compiler/schedules/coefficients.ts';
import { close, denoiseVp, expectCode, flowVp, gaussian, observedOrder, seededUniform } from './helpers.ts';

const sched = scaledLinear();
const levels = levelsFromTimesteps(sched, spacingTrailing(1000, 12));

function expectTablesClose(a: readonly number[], b: readonly number[], rtol: number): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(close(x, b[i], rtol, 1e-15), `index ${i}: ${x} vs ${b[i]}`).toBe(true));
}

/** Run a table on 1-D Gaussian data with the exact denoiser; no noise. */
function runDeterministic(lv: NoiseLevels, table: StepTable, x0: number): number {
  let x = x0;
  const history: number[] = [];
  for (let i = 0; i < table.xt.length; i++) {
    history.unshift(denoiseVp(gaussian, x, lv.alpha[i], lv.sigma[i]));
    let next = table.xt[i] * x;
    table.data.forEach((row, k) => (next += row[i] === 0 ? 0 : row[i] * history[k]));
    x = next;
  }
  return x;
}

describe('DDIM (Song et al. 2021)', () => {
  it('η = 0 scales x_t by σ_s/σ_t and gives the rest to x̂0', () => {
    const t = ddimCoefficients(levels, 0);
    const { alpha: a, sigma: s } = levels;
    expectTablesClose(
      t.xt,
      t.xt.map((_, i) => s[i + 1] / s[i]),
      1e-14,
    );
    expectTablesClose(
      t.data[0],
      t.xt.map((_, i) => a[i + 1] - (a[i] * s[i + 1]) / s[i]),
      1e-13,
    );
    expect(t.noise.every((c) => c === 0)).toBe(true);
  });

  it('η = 1 adds the DDPM posterior noise c = √((1-ᾱ_s)/(1-ᾱ_t))·√(1-ᾱ_t/ᾱ_s)', () => {
    const t = ddimCoefficients(levels, 1);
    const abar = levels.alpha.map((a) => a * a);
    const expected = t.noise.map((_, i) => Math.sqrt((1 - abar[i + 1]) / (1 - abar[i])) * Math.sqrt(1 - abar[i] / abar[i + 1]));
    expectTablesClose(t.noise, expected, 1e-10);
  });

  it('keeps the marginal x_s = α_s·x0 + σ_s·ε for every η', () => {
    for (const eta of [0, 0.3, 1]) {
      const t = ddimCoefficients(levels, eta);
      t.xt.forEach((xt, i) => {
        expect(close(xt * levels.alpha[i] + t.data[0][i], levels.alpha[i + 1], 1e-13, 1e-15)).toBe(true);
        expect(close((xt * levels.sigma[i]) ** 2 + t.noise[i] ** 2, levels.sigma[i + 1] ** 2, 1e-13, 1e-16)).toBe(true);
      });
    }
  });

  it('converges at first order to the exact flow on Gaussian data', () => {
    const err = [20, 40, 80].map((n) => {
      const lv = levelsFromSigmas(logSnrUniformSigmas(n, -3, 3).slice(0, -1));
      const x = runDeterministic(lv, ddimCoefficients(lv), 1.3);
      return Math.abs(x - flowVp(gaussian, 1.3, lv.alpha[0], lv.sigma[0], lv.alpha[n - 1], lv.sigma[n - 1]));
    });
    expect(observedOrder(err[1], err[2])).toBeGreaterThan(0.9);
    expect(observedOrder(err[1], err[2])).toBeLessThan(1.1);
  });

  it('rejects η outside [0, 1]', () => {
    expectCode(() => ddimCoefficients(levels, 1.5), 'SCH0002');
    expectCode(() => ddimCoefficients(levels, -0.1), 'SCH0002');
  });
});

describe('DPM-Solver++ (Lu et al. 2022)', () => {
  it('first order equals DDIM η = 0', () => {
    const dpm = dpmSolverPlusPlus(levels, 1);
    const ddim = ddimCoefficients(levels, 0);
    expectTablesClose(dpm.xt, ddim.xt, 1e-14);
    expectTablesClose(dpm.data[0], ddim.data[0], 1e-12);
  });

  it("2M is Algorithm 2's (1 + 1/2r)·D_i - (1/2r)·D_{i-1} update", () => {
    const t = dpmSolverPlusPlus(levels, 2);
    const { alpha: a, sigma: s, lambda: l } = levels;
    for (let i = 1; i < 11; i++) {
      const h = l[i + 1] - l[i];
      const r = (l[i] - l[i - 1]) / h;
      const phi = -a[i + 1] * (Math.exp(-h) - 1);
      expect(t.order[i]).toBe(2);
      expect(close(t.xt[i], s[i + 1] / s[i], 1e-14)).toBe(true);
      expect(close(t.data[0][i], phi * (1 + 1 / (2 * r)), 1e-11)).toBe(true);
      expect(close(t.data[1][i], -phi / (2 * r), 1e-11)).toBe(true);
    }
  });

  it('3M integrates a quadratic data prediction in λ exactly', () => {
    // Non-uniform λ steps (Karras sigmas) so that r0 != r1.
    const lv = levelsFromSigmas(karrasSigmas(16, 0.01, 50).slice(0, -1));
    const t = dpmSolverPlusPlus(lv, 3, false);
    const rand = seededUniform(7);
    for (let i = 2; i < t.xt.length; i++) {
      expect(t.order[i]).toBe(3);
      const [c0, c1, c2] = [rand(), rand(), rand()];
      const p = (x: number): number => c0 + c1 * x + c2 * x * x;
      // ∫ e^λ p(λ) dλ = e^λ (p - p' + p'') for a quadratic p.
      const G = (x: number): number => p(x) - (c1 + 2 * c2 * x) + 2 * c2;
      const [lt, ls] = [lv.lambda[i], lv.lambda[i + 1]];
      const exact = lv.alpha[i + 1] * (G(ls) - Math.exp(lt - ls) * G(lt));
      const got = t.data[0][i] * p(lv.lambda[i]) + t.data[1][i] * p(lv.lambda[i - 1]) + t.data[2][i] * p(lv.lambda[i - 2]);
      expect(close(got, exact, 1e-9, 1e-12), `step ${i}: ${got} vs ${exact}`).toBe(true);
    }
  });

  it('has local truncation error of order q+1 on the exact Gaussian trajectory', () => {
    const localError = (q: number, h: number): number => {
      const lambdas = Array.from({ length: q + 1 }, (_, j) => 0.5 - (q - 1 - j) * h);
      const lv = levelsFromLogSnr(lambdas);
      const t = dpmSolverPlusPlus(lv, q, false);
      const x = lambdas.map((_, j) => flowVp(gaussian, 1.3, lv.alpha[0], lv.sigma[0], lv.alpha[j], lv.sigma[j]));
      const D = x.map((xj, j) => denoiseVp(gaussian, xj, lv.alpha[j], lv.sigma[j]));
      const i = q - 1;
      let pred = t.xt[i] * x[i];
      for (let k = 0; k < q; k++) pred += t.data[k][i] * D[i - k];
      return Math.abs(pred - x[q]);
    };
    for (const q of [1, 2, 3]) {
      const order = observedOrder(localError(q, 0.1), localError(q, 0.05));
      expect(order, `order ${q}`).toBeGreaterThan(q + 0.8);
      expect(order, `order ${q}`).toBeLessThan(q + 1.2);
    }
  });

  it('warms up, and lowers the order at the end of runs shorter than 15 steps', () => {
    const at = (n: number, final: 'clean' | 'first'): readonly number[] =>
      dpmSolverPlusPlus(levelsFromTimesteps(sched, spacingTrailing(1000, n), final), 3).order;
    expect(at(6, 'clean')).toEqual([1, 2, 3, 3, 2, 1]);
    expect(at(6, 'first')).toEqual([1, 2, 3, 3, 2, 1]);
    // From 15 steps on only the step to σ = 0 (h = ∞) drops to first order.
    expect(at(16, 'clean')).toEqual([1, 2, ...Array(13).fill(3), 1]);
    expect(at(16, 'first')).toEqual([1, 2, ...Array(14).fill(3)]);
    expect(dpmSolverPlusPlus(levelsFromTimesteps(sched, spacingTrailing(1000, 6)), 2, false).order).toEqual([1, 2, 2, 2, 2, 1]);
  });

  it('starts from zero terminal SNR without reaching back across the infinite step', () => {
    const z = rescaleZeroTerminalSnr(linear());
    const lv = levelsFromTimesteps(z, spacingTrailing(1000, 20));
    const t = dpmSolverPlusPlus(lv, 3);
    expect(t.order.slice(0, 4)).toEqual([1, 1, 2, 3]);
    // From α_t = 0, σ_t = 1: x_s = σ_s·x_t + α_s·D (x_t is pure noise).
    expect(t.xt[0]).toBe(lv.sigma[1]);
    expect(close(t.data[0][0], lv.alpha[1], 1e-15)).toBe(true);
    for (const row of [t.xt, ...t.data]) expect(row.every(Number.isFinite)).toBe(true);
  });

  it('keeps x_s = α_s·x0 when every prediction is x0 and x_t = α_t·x0', () => {
    for (const order of [1, 2, 3]) {
      const t = dpmSolverPlusPlus(levels, order);
      t.xt.forEach((xt, i) => {
        const total = t.data.reduce((sum, row) => sum + row[i], xt * levels.alpha[i]);
        expect(close(total, levels.alpha[i + 1], 1e-12, 1e-15)).toBe(true);
      });
    }
  });

  it('rejects orders outside 1..3', () => {
    expectCode(() => dpmSolverPlusPlus(levels, 4), 'SCH0001');
    expectCode(() => dpmSolverPlusPlus(levels, 0), 'SCH0001');
  });
});

describe('SDE-DPM-Solver++', () => {
  it('first order equals DDIM η = 1', () => {
    const sde = sdeDpmSolverPlusPlus(levels, 1);
    const ddim = ddimCoefficients(levels, 1);
    expectTablesClose(sde.xt, ddim.xt, 1e-10);
    expectTablesClose(sde.data[0], ddim.data[0], 1e-10);
    expectTablesClose(sde.noise, ddim.noise, 1e-10);
  });

  it('2M uses the midpoint combination with weights α_s(1 - e^{-2h})', () => {
    const t = sdeDpmSolverPlusPlus(levels, 2);
    const { alpha: a, sigma: s, lambda: l } = levels;
    for (let i = 1; i < 11; i++) {
      const h = l[i + 1] - l[i];
      const r = (l[i] - l[i - 1]) / h;
      const keep = 1 - Math.exp(-2 * h);
      expect(close(t.xt[i], (s[i + 1] / s[i]) * Math.exp(-h), 1e-13)).toBe(true);
      expect(close(t.data[0][i], a[i + 1] * keep * (1 + 1 / (2 * r)), 1e-12)).toBe(true);
      expect(close(t.data[1][i], (-a[i + 1] * keep) / (2 * r), 1e-12)).toBe(true);
      expect(close(t.noise[i], s[i + 1] * Math.sqrt(keep), 1e-13)).toBe(true);
    }
    expect(t.order[11]).toBe(1);
  });

  it('rejects third order', () => {
    expectCode(() => sdeDpmSolverPlusPlus(levels, 3), 'SCH0001');
  });
});

describe('expIntegral', () => {
  const quad = (k: number, h: number): number => {
    // Composite Simpson on ∫_0^h e^{u-h} u^k/k! du with 2000 panels.
    const n = 2000;
    const f = (u: number): number => (Math.exp(u - h) * u ** k) / (k === 2 ? 2 : 1);
    let sum = f(0) + f(h);
    for (let j = 1; j < n; j++) sum += (j % 2 ? 4 : 2) * f((j * h) / n);
    return (sum * h) / (3 * n);
  };

  it('matches quadrature on both sides of the series/closed-form switch', () => {
    for (const k of [0, 1, 2] as const) {
      for (const h of [0.01, 0.3, 0.999, 1, 2.5]) {
        expect(close(expIntegral(k, h), quad(k, h), 1e-10), `E_${k}(${h})`).toBe(true);
      }
    }
  });

  it('keeps its digits for tiny h', () => {
    const h = 1e-4;
    expect(close(expIntegral(2, h), h ** 3 / 6 - h ** 4 / 24 + h ** 5 / 120 - h ** 6 / 720, 1e-14)).toBe(true);
    expect(close(expIntegral(1, h), h ** 2 / 2 - h ** 3 / 6 + h ** 4 / 24 - h ** 5 / 120, 1e-14)).toBe(true);
  });
});
