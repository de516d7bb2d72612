// The sliced Wasserstein-1 distance (runtime/train/metrics.ts): exact 1-D values, 0 for identical clouds,
// the closed form of a shift, and a clear separation of data from noise.
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { slicedWasserstein, wasserstein1d } from '../../runtime/train/metrics.ts';
import { normals } from '../../runtime/train/random.ts';

describe('wasserstein1d', () => {
  it('is the mean shift between equal-size sorted samples', () => {
    expect(wasserstein1d(Float64Array.of(0, 1), Float64Array.of(0.5, 1.5))).toBeCloseTo(0.5, 12);
  });

  it('handles different sizes: {0} against {0, 1} is 1/2', () => {
    expect(wasserstein1d(Float64Array.of(0), Float64Array.of(0, 1))).toBeCloseTo(0.5, 12);
  });
});

describe('slicedWasserstein', () => {
  const moons = openDataSource('moons');
  const data = moons.heldOut(1000, 0).x;

  it('is 0 for identical sets', () => {
    expect(slicedWasserstein(data, Float32Array.from(data))).toBe(0);
  });

  it('gives mean |<s, d>| = 2|s|/pi for a cloud shifted by s', () => {
    const s = [0.3, -0.4];
    const shifted = data.map((v, i) => v + s[i % 2]);
    expect(slicedWasserstein(data, shifted, 512)).toBeCloseTo((2 * 0.5) / Math.PI, 3);
  });

  it('separates data from Gaussian noise of the same scale: 5x farther than a second data sample', () => {
    const second = moons.heldOut(1000, 1).x;
    const noise = normals(7, 1, 0, 2000);
    const floor = slicedWasserstein(second, data);
    expect(floor).toBeGreaterThan(0);
    expect(slicedWasserstein(noise, data)).toBeGreaterThan(5 * floor);
  });

  it('rejects a cloud that is not N x 2', () => {
    expect(() => slicedWasserstein(Float32Array.of(1, 2, 3), data)).toThrow(DenocError);
    expect(() => slicedWasserstein(Float32Array.of(1, 2, 3), data)).toThrow(/TRN0701/);
  });
});
