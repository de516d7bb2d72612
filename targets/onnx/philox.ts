/**
 * Philox4x32-10 (Salmon et al., SC'11) in ONNX integer ops, word for word as
 * compiler/core/numeric/rng.ts computes it. ONNX has no unsigned 32-bit multiply-high, so every word
 * is held in int64 as a value in [0, 2^32) and the 64-bit product M·c is formed from 16-bit halves of c,
 * whose partial products stay below 2^49 and never overflow int64:
 *   p_lo = M·(c mod 2^16), p_hi = M·⌊c / 2^16⌋, t = p_hi + ⌊p_lo / 2^16⌋,
 *   hi = ⌊t / 2^16⌋, lo = (t mod 2^16)·2^16 + p_lo mod 2^16.
 * XOR is BitwiseXor (opset 18). The key's first word is the run-time seed; its per-round Weyl bumps
 * are one Add and Mod each; the stream word is known at compile time.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1 } from '../../compiler/core/numeric/rng.ts';
import type { OnnxGraphWriter } from './model.ts';

const TWO_16 = 2 ** 16;
const TWO_32 = 2 ** 32;

/** (hi, lo) words of M·c for a constant M < 2^32 and c in [0, 2^32). */
function mulHiLo(w: OnnxGraphWriter, m: number, c: string): [string, string] {
  const k = (v: number): string => w.constant('i64', [v], []);
  const pLo = w.emit('Mul', [k(m), w.emit('Mod', [c, k(TWO_16)])]);
  const pHi = w.emit('Mul', [k(m), w.emit('Div', [c, k(TWO_16)])]);
  const t = w.emit('Add', [pHi, w.emit('Div', [pLo, k(TWO_16)])]);
  const hi = w.emit('Div', [t, k(TWO_16)]);
  const lo = w.emit('Add', [w.emit('Mul', [w.emit('Mod', [t, k(TWO_16)]), k(TWO_16)]), w.emit('Mod', [pLo, k(TWO_16)])]);
  return [hi, lo];
}

/** An i32 scalar as its u32 value in int64: ((x mod 2^32) + 2^32) mod 2^32 with Mod's sign-of-divisor rule. */
export function asU32(w: OnnxGraphWriter, x: string): string {
  return w.emit('Mod', [w.emit('Cast', [x], { to: { i: 7 } }), w.constant('i64', [TWO_32], [])]);
}

/**
 * The four Philox4x32-10 output words (int64 in [0, 2^32)) for counters (c0, c1, 0, 0) and key
 * (k0, stream). c0 is a [m] block index, c1 and k0 int64 scalars.
 */
export function philoxWords(w: OnnxGraphWriter, c0: string, c1: string, k0: string, stream: number): string[] {
  const zero = w.constant('i64', [0], []);
  let c = [c0, c1, zero, zero];
  for (let r = 0; r < PHILOX_ROUNDS; r++) {
    const key0 =
      r === 0 ? k0 : w.emit('Mod', [w.emit('Add', [k0, w.constant('i64', [(r * PHILOX_W0) % TWO_32], [])]), w.constant('i64', [TWO_32], [])]);
    const key1 = w.constant('i64', [(stream + r * PHILOX_W1) % TWO_32], []);
    const [hi0, lo0] = mulHiLo(w, PHILOX_M0, c[0]);
    const [hi1, lo1] = mulHiLo(w, PHILOX_M1, c[2]);
    c = [w.emit('BitwiseXor', [w.emit('BitwiseXor', [hi1, c[1]]), key0]), lo1, w.emit('BitwiseXor', [w.emit('BitwiseXor', [hi0, c[3]]), key1]), lo0];
  }
  return c;
}
