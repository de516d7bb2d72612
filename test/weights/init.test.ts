// Seeded init: determinism, independence from spec order, and the statistics each init kind promises.
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { initWeights, type InitSpec, type ParameterSpec } from '../../runtime/weights/init.ts';

const spec = (path: string, shape: (number | string)[], init: InitSpec): ParameterSpec => ({ path, type: tensorType('f32', shape), init });

function stats(x: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0,
    sq = 0,
    min = Infinity,
    max = -Infinity;
  for (const v of x) {
    sum += v;
    sq += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / x.length;
  return { mean, std: Math.sqrt(sq / x.length - mean * mean), min, max };
}

describe('initWeights', () => {
  const specs = [
    spec('conv.weight', [16, 8, 3, 3], { kind: 'uniform', scale: 0.25 }),
    spec('conv.bias', [16], { kind: 'zeros' }),
    spec('norm.weight', [8], { kind: 'ones' }),
    spec('emb.weight', [1000, 64], { kind: 'normal', scale: 2 }),
  ];

  it('gives each parameter its declared shape and constant inits their value', () => {
    const w = initWeights(specs, 1);
    expect([...w.keys()]).toEqual(specs.map((s) => s.path));
    expect(w.get('conv.weight')?.shape).toEqual([16, 8, 3, 3]);
    expect(w.get('conv.weight')?.data.length).toBe(16 * 8 * 9);
    expect(w.get('conv.bias')?.data).toEqual(new Float32Array(16));
    expect(w.get('norm.weight')?.data).toEqual(new Float32Array(8).fill(1));
  });

  it('is deterministic for a seed and differs between seeds and between paths', () => {
    const a = initWeights(specs, 7),
      b = initWeights(specs, 7),
      c = initWeights(specs, 8);
    expect(a.get('emb.weight')?.data).toEqual(b.get('emb.weight')?.data);
    expect(a.get('emb.weight')?.data).not.toEqual(c.get('emb.weight')?.data);
    const twin = initWeights([spec('x', [100], { kind: 'uniform' }), spec('y', [100], { kind: 'uniform' })], 7);
    expect(twin.get('x')?.data).not.toEqual(twin.get('y')?.data);
    const far = initWeights(specs, 7 + 2 ** 32);
    expect(far.get('emb.weight')?.data).not.toEqual(a.get('emb.weight')?.data);
  });

  it("does not change a parameter's values when others are added or reordered", () => {
    const alone = initWeights([specs[3]], 3).get('emb.weight')?.data;
    const reordered = initWeights([spec('extra', [5], { kind: 'normal' }), ...specs].reverse(), 3).get('emb.weight')?.data;
    expect(reordered).toEqual(alone);
  });

  it('draws uniform values in (-scale, scale) with mean 0 and std scale/sqrt(3)', () => {
    const x = initWeights([spec('u', [200_000], { kind: 'uniform', scale: 0.5 })], 11).get('u')!.data;
    const s = stats(x);
    expect(s.min).toBeGreaterThan(-0.5);
    expect(s.max).toBeLessThan(0.5);
    expect(Math.abs(s.mean)).toBeLessThan(0.005); // std of the mean: 0.289/sqrt(2e5) = 6.5e-4
    expect(s.std).toBeCloseTo(0.5 / Math.sqrt(3), 2);
    // each tenth of the interval holds a tenth of the values (within 5 standard errors)
    const bins = new Array(10).fill(0);
    for (const v of x) bins[Math.floor((v + 0.5) * 10)]++;
    for (const n of bins) expect(Math.abs(n - 20_000)).toBeLessThan(5 * Math.sqrt(20_000 * 0.9));
  });

  it('draws normal values with the given std and Gaussian tails', () => {
    const x = initWeights([spec('n', [200_001], { kind: 'normal', scale: 2 })], 5).get('n')!.data;
    const s = stats(x);
    expect(Math.abs(s.mean)).toBeLessThan(0.03); // std of the mean: 2/sqrt(2e5) = 4.5e-3
    expect(s.std).toBeCloseTo(2, 1);
    // P(|z| > 1) = 0.3173, P(|z| > 2) = 0.0455 for a standard normal
    const beyond = (k: number) => x.filter((v) => Math.abs(v) > 2 * k).length / x.length;
    expect(beyond(1)).toBeCloseTo(0.3173, 2);
    expect(beyond(2)).toBeCloseTo(0.0455, 2);
  });

  it('leaves neighbouring values uncorrelated', () => {
    for (const kind of ['uniform', 'normal'] as const) {
      const x = initWeights([spec('v', [100_000], { kind })], 9).get('v')!.data;
      const { mean, std } = stats(x);
      let c = 0;
      for (let i = 1; i < x.length; i++) c += (x[i] - mean) * (x[i - 1] - mean);
      expect(Math.abs(c / (x.length - 1) / (std * std))).toBeLessThan(0.015); // 1/sqrt(1e5) = 0.003
    }
  });

  it('reports every symbolic shape and bad spec at once', () => {
    const bad = [
      spec('a', ['B', 3], { kind: 'zeros' }),
      spec('b', [3], { kind: 'xavier' as InitSpec['kind'] }),
      spec('c', [3], { kind: 'normal', scale: NaN }),
    ];
    try {
      initWeights(bad, 0);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DenocError);
      expect((e as DenocError).diagnostics.map((d) => d.code)).toEqual(['WGT0201', 'WGT0202', 'WGT0202']);
      expect((e as DenocError).message).toMatch(/parameter 'a' \(f32\[B,3\]\)/);
    }
    expect(() => initWeights([], 1.5)).toThrow(/seed 1.5 is not an integer/);
  });
});
