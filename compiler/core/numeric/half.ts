/**
 * Conversions between f32 and the 16-bit float formats stored in weight files: IEEE 754 binary16
 * (f16: 1 sign, 5 exponent, 10 mantissa bits) and bfloat16 (bf16: the top 16 bits of an f32).
 * Narrowing rounds to nearest, ties to even, as IEEE 754 requires of the default rounding mode;
 * f16 keeps subnormals, overflows to infinity and keeps NaN a NaN (quiet).
 */

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function f32Bits(value: number): number {
  f32Scratch[0] = value;
  return u32Scratch[0];
}

function bitsToF32(bits: number): number {
  u32Scratch[0] = bits >>> 0;
  return f32Scratch[0];
}

/** Drops `shift` low bits of `mant`, rounding to nearest with ties to even. */
function shiftRoundEven(mant: number, shift: number): number {
  const kept = mant >>> shift;
  const rest = mant & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}

/** The binary16 bit pattern nearest to `value` (as an f32 first, like a GPU would see it). */
export function f32ToF16Bits(value: number): number {
  const x = f32Bits(value);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Below half the smallest subnormal (2^-25) everything rounds to zero.
    if (e < -10) return sign;
    // Subnormal result: the implicit bit becomes explicit; a carry out of the 10 bits yields the
    // smallest normal number, whose encoding is exactly the carried value.
    return sign | shiftRoundEven(mant | 0x800000, 14 - e);
  }
  // A carry out of the mantissa increments the exponent, and past the largest finite value it
  // produces 0x7c00 (infinity): both are what round-to-nearest asks for.
  return sign | shiftRoundEven((e << 23) | mant, 13);
}

export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** The bfloat16 bit pattern nearest to `value`. */
export function f32ToBf16Bits(value: number): number {
  const x = f32Bits(value);
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  // Adding 0x7fff plus the kept LSB rounds ties to even; no overflow since JS numbers are doubles.
  return Math.floor((x + 0x7fff + ((x >>> 16) & 1)) / 0x10000) & 0xffff;
}

export function bf16BitsToF32(bits: number): number {
  return bitsToF32((bits & 0xffff) << 16);
}
