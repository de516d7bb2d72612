// f32 <-> f16/bf16 conversions, checked against hand-computed encodings and a brute-force nearest search.
import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../compiler/core/numeric/half.ts';

const f32 = (v: number) => Math.fround(v);

/** A small deterministic source of f32 bit patterns (xorshift32), independent of the code under test. */
function randomBits(count: number, seed: number): number[] {
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(x >>> 0);
  }
  return out;
}

function bitsAsF32(bits: number): number {
  return new Float32Array(new Uint32Array([bits]).buffer)[0];
}

/** All non-negative f16 values in order, decoded from the IEEE definition, with 65536 standing for +inf. */
const F16_TABLE: { value: number; bits: number }[] = (() => {
  const t: { value: number; bits: number }[] = [];
  for (let bits = 0; bits < 0x7c00; bits++) {
    const e = bits >> 10,
      m = bits & 0x3ff;
    t.push({ value: e === 0 ? (m / 1024) * 2 ** -14 : (1 + m / 1024) * 2 ** (e - 15), bits });
  }
  t.push({ value: 65536, bits: 0x7c00 });
  return t;
})();

/** Nearest f16 by search; ties go to the even bit pattern; past 65520 the nearest is infinity. */
function referenceF16(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0;
  const a = Math.abs(v);
  if (a >= 65536) return sign | 0x7c00;
  let lo = 0,
    hi = F16_TABLE.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (F16_TABLE[mid].value <= a) lo = mid;
    else hi = mid;
  }
  const dl = a - F16_TABLE[lo].value,
    dh = F16_TABLE[hi].value - a;
  const pick = dl < dh ? lo : dh < dl ? hi : F16_TABLE[lo].bits % 2 === 0 ? lo : hi;
  return sign | F16_TABLE[pick].bits;
}

describe('f16', () => {
  it('encodes hand-computed values', () => {
    expect(f32ToF16Bits(1)).toBe(0x3c00);
    expect(f32ToF16Bits(-2)).toBe(0xc000);
    expect(f32ToF16Bits(65504)).toBe(0x7bff);
    expect(f32ToF16Bits(2 ** -14)).toBe(0x0400);
    expect(f32ToF16Bits(2 ** -24)).toBe(0x0001);
    expect(f32ToF16Bits(0.1)).toBe(0x2e66);
    expect(f32ToF16Bits(-0)).toBe(0x8000);
  });

  it('rounds ties to even, including in subnormals and at the overflow threshold', () => {
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway between 0x3c00 and 0x3c01
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway between 0x3c01 and 0x3c02
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal -> 0 (even)
    expect(f32ToF16Bits(f32(2 ** -25 * 1.0000001))).toBe(0x0001);
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002); // 1.5 subnormal units -> 2
    expect(f32ToF16Bits(2 ** -14 - 2 ** -25)).toBe(0x0400); // carries from subnormal into the smallest normal
    expect(f32ToF16Bits(65519)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00); // tie between 65504 (odd) and 2^16 (even) -> inf
    expect(f32ToF16Bits(1e-8)).toBe(0x0000);
  });

  it('keeps infinities and NaN', () => {
    expect(f32ToF16Bits(Infinity)).toBe(0x7c00);
    expect(f32ToF16Bits(-Infinity)).toBe(0xfc00);
    const nan = f32ToF16Bits(NaN);
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
    expect(f32ToF16Bits(bitsAsF32(0x7f800001)) & 0x3ff).not.toBe(0); // payload only in dropped bits
    expect(f16BitsToF32(0x7e00)).toBeNaN();
    expect(f16BitsToF32(0xfc00)).toBe(-Infinity);
  });

  it('decodes every pattern to the IEEE value', () => {
    const wrong = F16_TABLE.slice(0, -1).filter(({ value, bits }) => f16BitsToF32(bits) !== value || f16BitsToF32(bits | 0x8000) !== -value);
    expect(wrong).toEqual([]);
  });

  it('matches a brute-force nearest search on random floats and on exact midpoints', () => {
    const inputs: number[] = [];
    for (const b of randomBits(20000, 12345)) {
      const v = bitsAsF32(b);
      if (!Number.isNaN(v)) inputs.push(v);
      // bring a second copy into the f16 range, where rounding actually happens
      const w = bitsAsF32((b & 0x807fffff) | (((b % 60) + 90) << 23));
      inputs.push(w);
    }
    for (const b of randomBits(5000, 777)) {
      const i = b % (F16_TABLE.length - 1);
      const mid = (F16_TABLE[i].value + F16_TABLE[i + 1].value) / 2;
      inputs.push(mid, -mid, f32(mid * (1 + 2 ** -23)), f32(mid * (1 - 2 ** -23)));
    }
    for (const v of inputs) {
      if (f32ToF16Bits(v) !== referenceF16(v)) expect([v, f32ToF16Bits(v)]).toEqual([v, referenceF16(v)]);
    }
  });

  it('round-trips every finite f16 through f32', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      if (f32ToF16Bits(f16BitsToF32(bits)) !== bits) expect(f32ToF16Bits(f16BitsToF32(bits))).toBe(bits);
    }
  });
});

/** Nearest bf16 of an f32 bit pattern: compare the two neighbours by exact distance; ties to even. */
function referenceBf16(bits: number): number {
  const lo = bits >>> 16;
  const vLo = bitsAsF32(lo << 16);
  const hiBits = lo + 1;
  // the pattern after the largest finite bf16 is infinity; for distance it sits at 2^128
  const vHi = (hiBits & 0x7fff) === 0x7f80 ? Math.sign(vLo) * 2 ** 128 : bitsAsF32(hiBits << 16);
  const v = bitsAsF32(bits);
  const dl = Math.abs(v - vLo),
    dh = Math.abs(vHi - v);
  return dl < dh ? lo : dh < dl ? hiBits : lo % 2 === 0 ? lo : hiBits;
}

describe('bf16', () => {
  it('encodes hand-computed values', () => {
    expect(f32ToBf16Bits(1)).toBe(0x3f80);
    expect(f32ToBf16Bits(-2)).toBe(0xc000);
    expect(f32ToBf16Bits(1 + 2 ** -8)).toBe(0x3f80); // tie -> even
    expect(f32ToBf16Bits(1 + 3 * 2 ** -8)).toBe(0x3f82); // tie -> even (up)
    expect(f32ToBf16Bits(0.1)).toBe(0x3dcd);
    expect(f32ToBf16Bits(3.4028234663852886e38)).toBe(0x7f80); // f32 max rounds up to inf
    expect(f32ToBf16Bits(-Infinity)).toBe(0xff80);
    expect(bf16BitsToF32(f32ToBf16Bits(NaN))).toBeNaN();
    expect(bf16BitsToF32(f32ToBf16Bits(bitsAsF32(0x7f800001)))).toBeNaN();
    expect(bf16BitsToF32(0x4049)).toBe(3.140625);
  });

  it('matches the nearest-neighbour reference on random floats', () => {
    for (const b of randomBits(50000, 99)) {
      if (Number.isNaN(bitsAsF32(b))) continue;
      if (f32ToBf16Bits(bitsAsF32(b)) !== referenceBf16(b)) expect(f32ToBf16Bits(bitsAsF32(b))).toBe(referenceBf16(b));
    }
  });
});
