// Philox4x32-10 against the Random123 known-answer vectors, and randn against an independent
// BigInt re-implementation of the docs/ir.md mapping plus the moments of a standard normal.
import { describe, expect, it } from 'vitest';
import { boxMuller, mulhi32, philox4x32, randn, uniformFromBits } from '../compiler/core/numeric/rng.ts';

// Random123 tests/kat_vectors (DEShawResearch/random123), "philox4x32 R": counter[4], key[2] → out[4].
const KAT: [number, number[], number[], number[]][] = [
  [10, [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [10, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [10, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
  [7, [0, 0, 0, 0], [0, 0], [0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48]],
  [7, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662]],
  [7, [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a]],
];

/** Philox4x32 in BigInt straight from the paper's round function, as an independent oracle. */
function philoxBig(ctr: number[], key: number[], rounds = 10): number[] {
  const M = 0xffffffffn;
  let [c0, c1, c2, c3] = ctr.map(BigInt);
  let [k0, k1] = key.map(BigInt);
  for (let r = 0; r < rounds; r++) {
    const p0 = 0xd2511f53n * c0,
      p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & M, p1 & M, ((p0 >> 32n) ^ c3 ^ k1) & M, p0 & M];
    k0 = (k0 + 0x9e3779b9n) & M;
    k1 = (k1 + 0xbb67ae85n) & M;
  }
  return [c0, c1, c2, c3].map(Number);
}

/** Element e of randn by the docs/ir.md text, one element at a time. */
function randnElement(seed: number, stream: number, offset: number, e: number): number {
  const words = philoxBig([Math.floor(e / 4), offset >>> 0, 0, 0], [seed >>> 0, stream >>> 0]);
  const lane = e % 4;
  const x1 = words[2 * Math.floor(lane / 2)],
    x2 = words[2 * Math.floor(lane / 2) + 1];
  const f = Math.fround;
  const u = (x: number): number => f(f(f(Math.floor(x / 256)) + 0.5) / 2 ** 24);
  const r = f(Math.sqrt(f(-2 * f(Math.log(u(x1))))));
  const theta = f(f(2 * Math.PI) * u(x2));
  return f(r * f(lane % 2 === 0 ? Math.cos(theta) : Math.sin(theta)));
}

describe('philox4x32', () => {
  it.each(KAT)('matches the Random123 known answer (%i rounds, counter %j)', (rounds, ctr, key, want) => {
    expect(Array.from(philox4x32(ctr, key, rounds))).toEqual(want);
  });

  it('agrees with a BigInt implementation on scattered inputs', () => {
    for (let i = 0; i < 50; i++) {
      const ctr = [i * 0x9e3779b1, i, 0xffffffff - i, i << 20].map((v) => v >>> 0);
      const key = [(i * 7919) >>> 0, (0x80000000 + i) >>> 0];
      expect(Array.from(philox4x32(ctr, key))).toEqual(philoxBig(ctr, key));
    }
  });

  it('computes the high word of 32×32-bit products exactly', () => {
    const vals = [0, 1, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0xd2511f53, 0xcd9e8d57, 123456789];
    for (const a of vals)
      for (const b of vals) {
        expect(mulhi32(a, b)).toBe(Number((BigInt(a) * BigInt(b)) >> 32n));
      }
  });
});

describe('randn', () => {
  it('follows the docs/ir.md mapping bit for bit', () => {
    for (const [seed, stream, offset] of [
      [0, 0, 0],
      [42, 3, 17],
      [-5, 1, 0xfffffffe],
    ]) {
      const got = randn(seed, stream, offset, 11);
      const want = Array.from({ length: 11 }, (_, e) => randnElement(seed, stream, offset, e));
      expect(Array.from(got)).toEqual(want);
    }
  });

  it('maps words to uniforms in (0, 1] without reaching 0', () => {
    expect(uniformFromBits(0)).toBe(Math.fround(0.5 / 2 ** 24));
    expect(uniformFromBits(0xffffffff)).toBe(1);
    // u1 = 1 gives radius √(−2 ln 1) = 0 (as −0 in f32), never NaN or infinity.
    const [a, b] = boxMuller(0xffffffff, 0);
    expect([Math.abs(a), Math.abs(b)]).toEqual([0, 0]);
  });

  it('is a prefix-stable function of the element index', () => {
    const long = randn(7, 2, 5, 103);
    expect(Array.from(randn(7, 2, 5, 13))).toEqual(Array.from(long.subarray(0, 13)));
  });

  it('gives different samples for different seeds, streams and offsets', () => {
    const base = randn(1, 0, 0, 64);
    for (const other of [randn(2, 0, 0, 64), randn(1, 1, 0, 64), randn(1, 0, 1, 64)]) {
      const same = base.filter((v, i) => v === other[i]).length;
      expect(same).toBeLessThan(2);
    }
  });

  it('has the moments of a standard normal', () => {
    const n = 200_000;
    const x = randn(123, 0, 0, n);
    expect(x.length).toBe(n);
    let s1 = 0,
      s2 = 0,
      s4 = 0,
      within1 = 0;
    for (const v of x) {
      s1 += v;
      s2 += v * v;
      s4 += v ** 4;
      if (Math.abs(v) < 1) within1++;
    }
    const mean = s1 / n,
      variance = s2 / n - mean * mean;
    // Tolerances are ~5 standard errors: se(mean) = 1/√n, se(var) = √(2/n), se(m4) = √(96/n).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    expect(Math.abs(within1 / n - 0.682689)).toBeLessThan(0.005);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('rejects a bad count', () => {
    expect(() => randn(0, 0, 0, -1)).toThrow(/non-negative integer/);
    expect(() => randn(0, 0, 0, 2.5)).toThrow(/non-negative integer/);
  });
});
