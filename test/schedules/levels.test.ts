// Noise levels: the (α, σ, λ) tables the VP solver coefficients are computed from.
import { describe, expect, it } from 'vitest';
import {
  levelsFromLogSnr,
  levelsFromSigmas,
  levelsFromTimesteps,
  linear,
  spacingLeading,
  spacingLinspace,
  spacingTrailing,
} from '../../compiler/schedules/index.ts';
import { close, expectCode } from './helpers.ts';

describe('noise levels', () => {
  const sched = linear();

  it('takes the schedule values at the timesteps and appends the clean level', () => {
    const ts = spacingTrailing(1000, 4);
    const lv = levelsFromTimesteps(sched, ts);
    expect(lv.alpha.length).toBe(5);
    ts.forEach((t, i) => {
      expect(lv.alpha[i]).toBe(sched.alpha[t]);
      expect(lv.sigma[i]).toBe(sched.sigma[t]);
    });
    expect([lv.alpha[4], lv.sigma[4], lv.lambda[4]]).toEqual([1, 0, Infinity]);
  });

  it("can end at the schedule's first timestep instead", () => {
    const lv = levelsFromTimesteps(sched, spacingTrailing(1000, 4), 'first');
    expect(lv.alpha[4]).toBe(sched.alpha[0]);
    expect(lv.sigma[4]).toBe(sched.sigma[0]);
  });

  it('converts VE sigmas with α = 1/√(1+s²), σ = s·α, and Infinity to SNR 0', () => {
    const lv = levelsFromSigmas([Infinity, 3, 0.5, 0]);
    expect([lv.alpha[0], lv.sigma[0], lv.lambda[0]]).toEqual([0, 1, -Infinity]);
    expect(close(lv.alpha[1], 1 / Math.sqrt(10), 1e-15)).toBe(true);
    expect(close(lv.sigma[1], 3 / Math.sqrt(10), 1e-15)).toBe(true);
    expect(close(lv.lambda[2], Math.log(2), 1e-15)).toBe(true);
    expect([lv.alpha[3], lv.sigma[3], lv.lambda[3]]).toEqual([1, 0, Infinity]);
  });

  it('agrees between log-SNR and VE sigma inputs', () => {
    const lambdas = [-2, -0.5, 1, 3];
    const a = levelsFromLogSnr(lambdas);
    const b = levelsFromSigmas(lambdas.map((l) => Math.exp(-l)));
    a.alpha.forEach((x, i) => expect(close(x, b.alpha[i], 1e-14)).toBe(true));
    a.sigma.forEach((x, i) => expect(close(x, b.sigma[i], 1e-14)).toBe(true));
  });

  it('rejects timesteps that do not decrease, leave the schedule, or repeat the final level', () => {
    expectCode(() => levelsFromTimesteps(sched, [10, 20]), 'SCH0003');
    expectCode(() => levelsFromTimesteps(sched, [1000]), 'SCH0001');
    expectCode(() => levelsFromTimesteps(sched, [5.5]), 'SCH0001');
    // linspace and leading end at t = 0, which is the 'first' final level itself.
    expectCode(() => levelsFromTimesteps(sched, spacingLinspace(1000, 5), 'first'), 'SCH0003');
    expectCode(() => levelsFromTimesteps(sched, spacingLeading(1000, 5), 'first'), 'SCH0003');
    expectCode(() => levelsFromSigmas([1, 2, 0]), 'SCH0003');
    expectCode(() => levelsFromSigmas([1, 0, 0]), 'SCH0003');
    expectCode(() => levelsFromLogSnr([0, Number.NaN]), 'SCH0002');
  });
});
