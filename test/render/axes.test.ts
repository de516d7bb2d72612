// Tick positions and labels for linear and log axes, against hand-picked values.
import { describe, expect, it } from 'vitest';
import { dataRange, formatTick, logTicks, niceStep, niceTicks, toPixel } from '../../api/render/axes.ts';

describe('ticks', () => {
  it('steps by 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(1, 5)).toBe(0.2);
    expect(niceStep(7, 6)).toBe(2);
    expect(niceStep(300, 6)).toBe(50);
    expect(niceStep(0.003, 3)).toBe(0.001);
  });

  it('puts linear ticks on multiples of the step inside the range, without float noise', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.04, 1.04)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-2.2, 2.2)).toEqual([-2, -1, 0, 1, 2]);
    expect(niceTicks(0.1, 0.35, 5)).toEqual([0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
    expect(niceTicks(3, 3)).toEqual([3]);
  });

  it('puts log ticks on decades, or on 1-2-5 when the range is narrow', () => {
    expect(logTicks(1e-5, 1)).toEqual([1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1]);
    expect(logTicks(0.8, 70)).toEqual([1, 2, 5, 10, 20, 50]);
    expect(logTicks(1e-20, 1e20)).toEqual([1e-20, 1e-14, 1e-8, 1e-2, 1e4, 1e10, 1e16]); // every 6th of 41 decades
    expect(logTicks(2.1, 4.9)).toEqual([3, 4]); // no 1-2-5 value inside: linear ticks
  });

  it('labels ticks compactly', () => {
    expect(formatTick(0)).toBe('0');
    expect(formatTick(0.1 + 0.2)).toBe('0.3');
    expect(formatTick(-0.5)).toBe('-0.5');
    expect(formatTick(1e-4)).toBe('1e-4');
    expect(formatTick(9.99999999e-5)).toBe('1e-4');
    expect(formatTick(2.5e6)).toBe('2.5e6');
    expect(formatTick(20000)).toBe('20000');
  });
});

describe('scales', () => {
  it('pads the data range and maps it linearly or logarithmically onto pixels', () => {
    const lin = dataRange([2, 4, NaN, 3], false, 0.5);
    expect([lin.lo, lin.hi]).toEqual([1, 5]);
    expect(toPixel(lin, 3, 0, 100)).toBe(50);
    const log = dataRange([0, -1, 10, 1000], true, 0);
    expect([log.lo, log.hi]).toEqual([10, 1000]);
    expect(toPixel(log, 100, 0, 100)).toBeCloseTo(50, 10);
    expect(toPixel(log, 100, 100, 0)).toBeCloseTo(50, 10);
  });

  it('gives an empty or constant range some width', () => {
    expect(dataRange([], false, 0)).toEqual({ lo: 0, hi: 1, log: false });
    expect(dataRange([5, 5], false, 0)).toEqual({ lo: 4.5, hi: 5.5, log: false });
  });
});
