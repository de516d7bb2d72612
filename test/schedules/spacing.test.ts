// Timestep spacing: the values of Lin et al. 2023 Table 2, rounding rules, and bad step counts.
import { describe, expect, it } from 'vitest';
import { spacingLeading, spacingLinspace, spacingTrailing, spacingUniformTime } from '../../compiler/schedules/index.ts';
import { expectCode } from './helpers.ts';

describe('discrete timestep spacing', () => {
  it('matches Lin et al. 2023 Table 2 for T = 1000, N = 10', () => {
    expect(spacingLinspace(1000, 10)).toEqual([999, 888, 777, 666, 555, 444, 333, 222, 111, 0]);
    expect(spacingLeading(1000, 10)).toEqual([900, 800, 700, 600, 500, 400, 300, 200, 100, 0]);
    expect(spacingTrailing(1000, 10)).toEqual([999, 899, 799, 699, 599, 499, 399, 299, 199, 99]);
  });

  it("adds the leading offset (Stable Diffusion's steps_offset = 1)", () => {
    expect(spacingLeading(1000, 10, 1)).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    expect(spacingLeading(1000, 3)).toEqual([666, 333, 0]);
  });

  it('rounds linspace ties to even, like numpy.round', () => {
    // linspace(0, 999, 3) = 0, 499.5, 999 -> 500 (even); linspace(0, 997, 3) has 498.5 -> 498.
    expect(spacingLinspace(1000, 3)).toEqual([999, 500, 0]);
    expect(spacingLinspace(998, 3)).toEqual([997, 498, 0]);
    // linspace(0, 999, 7): 999·k/6 = 166.5, 333, 499.5, 666, 832.5 -> 166, 500, 832.
    expect(spacingLinspace(1000, 7)).toEqual([999, 832, 666, 500, 333, 166, 0]);
  });

  it('steps trailing timesteps back by T/N from T-1', () => {
    // 1000·(3-i)/3 = 1000, 666.67, 333.33 -> 1000, 667, 333, minus 1.
    expect(spacingTrailing(1000, 3)).toEqual([999, 666, 332]);
    // 1000/16 = 62.5: ties at odd i round to even (937.5 -> 938, 812.5 -> 812).
    expect(spacingTrailing(1000, 16).slice(0, 4)).toEqual([999, 937, 874, 811]);
  });

  it('visits every timestep when N = T, and one when N = 1', () => {
    const all = Array.from({ length: 50 }, (_, i) => 49 - i);
    expect(spacingLinspace(50, 50)).toEqual(all);
    expect(spacingLeading(50, 50)).toEqual(all);
    expect(spacingTrailing(50, 50)).toEqual(all);
    expect(spacingLinspace(1000, 1)).toEqual([0]);
    expect(spacingTrailing(1000, 1)).toEqual([999]);
  });

  it('produces strictly decreasing timesteps in range for every N', () => {
    for (const N of [1, 2, 7, 13, 33, 250, 999]) {
      for (const ts of [spacingLinspace(1000, N), spacingLeading(1000, N), spacingTrailing(1000, N)]) {
        expect(ts.length).toBe(N);
        expect(ts.every((t, i) => Number.isInteger(t) && t >= 0 && t <= 999 && (i === 0 || t < ts[i - 1]))).toBe(true);
      }
    }
  });

  it('rejects step counts outside [1, T] and offsets that leave the schedule', () => {
    expect(expectCode(() => spacingTrailing(1000, 0), 'SCH0001')).toMatch(/steps/);
    expectCode(() => spacingLinspace(10, 11), 'SCH0001');
    expectCode(() => spacingLeading(1000, 10, 100), 'SCH0001');
    expectCode(() => spacingLeading(1000, 10, -1), 'SCH0001');
    expectCode(() => spacingTrailing(1000, 2.5), 'SCH0001');
  });
});

describe('uniform continuous time', () => {
  it('gives N+1 evenly spaced points from tStart to tEnd', () => {
    const ts = spacingUniformTime(4, 1, 0.2);
    expect(ts.length).toBe(5);
    [1, 0.8, 0.6, 0.4, 0.2].forEach((t, i) => expect(ts[i]).toBeCloseTo(t, 15));
    expect(ts[4]).toBe(0.2);
  });

  it('rejects an empty or reversed interval', () => {
    expectCode(() => spacingUniformTime(4, 0.5, 0.5), 'SCH0003');
    expectCode(() => spacingUniformTime(4, 1.5, 0), 'SCH0002');
    expectCode(() => spacingUniformTime(0), 'SCH0001');
  });
});
