/**
 * Counter-based noise shared by every target: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, SC'11,
 * "Parallel random numbers: as easy as 1, 2, 3") and the exact Box–Muller mapping of docs/ir.md.
 *
 * randn element e of (seed, stream, offset): key = (seed, stream), counter = (floor(e/4), offset, 0, 0);
 * lane = e % 4 takes the word pair (2·⌊lane/2⌋, 2·⌊lane/2⌋ + 1) as (u1, u2) with
 * u = (f32(x >> 8) + 0.5) / 2^24, and returns sqrt(−2 ln u1)·cos(2π u2) for even lanes, ·sin for odd.
 * Every float step is rounded to f32 (Math.fround) so a WGSL or StableHLO port computing in f32
 * gets the same bits, up to the rounding of log/sqrt/cos/sin on its hardware.
 */

/** Round multipliers and Weyl key increments of Philox4x32 (Salmon et al. 2011, Random123). */
export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;
export const PHILOX_ROUNDS = 10;

/** High 32 bits of the 64-bit product of two u32, from 16-bit halves (every partial fits a double exactly). */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff,
    ah = a >>> 16,
    bl = b & 0xffff,
    bh = b >>> 16;
  const lh = al * bh,
    hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * Philox4x32 with `rounds` rounds (10 is the standard). Writes the 4 output words to `out`.
 * Round: (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2, c = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
 * the key is bumped by the Weyl constants between rounds.
 */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>, rounds = PHILOX_ROUNDS, out = new Uint32Array(4)): Uint32Array {
  let c0 = counter[0] >>> 0,
    c1 = counter[1] >>> 0,
    c2 = counter[2] >>> 0,
    c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0,
    k1 = key[1] >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0),
      lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2),
      lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

const f32 = Math.fround;
/** 2π rounded to f32 (6.2831855), the constant a shader would hold. */
export const TWO_PI_F32 = f32(2 * Math.PI);

/** A word to a uniform in (0, 1]: (f32(x >> 8) + 0.5) / 2^24, each step in f32. Never 0, so ln is finite. */
export function uniformFromBits(x: number): number {
  return f32(f32(f32(x >>> 8) + 0.5) / 16777216);
}

/** One Box–Muller pair from two words: [r·cos θ, r·sin θ] with r = √(−2 ln u1), θ = 2π u2, in f32 steps. */
export function boxMuller(x1: number, x2: number): [number, number] {
  const u1 = uniformFromBits(x1),
    u2 = uniformFromBits(x2);
  const r = f32(Math.sqrt(f32(-2 * f32(Math.log(u1)))));
  const theta = f32(TWO_PI_F32 * u2);
  return [f32(r * f32(Math.cos(theta))), f32(r * f32(Math.sin(theta)))];
}

/**
 * `count` standard normals for elements 0 … count−1 of (seed, stream, offset), as the `randn` op
 * defines them. seed, stream and offset are taken as u32 (negative i32 seeds wrap).
 */
export function randn(seed: number, stream: number, offset: number, count: number): Float32Array {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`randn: count must be a non-negative integer, got ${count}`);
  if (count > 4 * 2 ** 32) throw new RangeError(`randn: count ${count} exceeds the 2^34 elements one (seed, stream, offset) addresses`);
  const out = new Float32Array(count);
  const key = [seed >>> 0, stream >>> 0];
  const counter = [0, offset >>> 0, 0, 0];
  const words = new Uint32Array(4);
  for (let block = 0; block * 4 < count; block++) {
    counter[0] = block;
    philox4x32(counter, key, PHILOX_ROUNDS, words);
    const base = block * 4;
    const [n0, n1] = boxMuller(words[0], words[1]);
    const [n2, n3] = boxMuller(words[2], words[3]);
    out[base] = n0;
    if (base + 1 < count) out[base + 1] = n1;
    if (base + 2 < count) out[base + 2] = n2;
    if (base + 3 < count) out[base + 3] = n3;
  }
  return out;
}
