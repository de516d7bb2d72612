/**
 * Philox4x32-10 (Salmon et al., SC'11) and the randn mapping of docs/ir.md in WGSL, the GPU twin of
 * compiler/core/numeric/rng.ts: key (seed, stream), counter (e/4, offset, 0, 0); lane e%4 takes the word pair
 * (2·⌊lane/2⌋, +1); u = (f32(x >> 8) + 0.5) / 2^24; Box–Muller r·cos θ (even lanes) or r·sin θ (odd).
 * WGSL has no 32×32→64 multiply, so the high word is assembled from 16-bit partial products.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1, TWO_PI_F32 } from '../../compiler/core/numeric/rng.ts';

const hex = (x: number): string => `0x${(x >>> 0).toString(16)}u`;

export const PHILOX_WGSL = `
fn mulhi32(a: u32, b: u32) -> u32 {
  let al = a & 0xffffu; let ah = a >> 16u; let bl = b & 0xffffu; let bh = b >> 16u;
  let lh = al * bh; let hl = ah * bl;
  let mid = ((al * bl) >> 16u) + (lh & 0xffffu) + (hl & 0xffffu);
  return ah * bh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}
fn philox4x32(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var r = 0u; r < ${PHILOX_ROUNDS}u; r++) {
    if (r > 0u) { k = k + vec2<u32>(${hex(PHILOX_W0)}, ${hex(PHILOX_W1)}); }
    let hi0 = mulhi32(${hex(PHILOX_M0)}, c.x); let lo0 = ${hex(PHILOX_M0)} * c.x;
    let hi1 = mulhi32(${hex(PHILOX_M1)}, c.z); let lo1 = ${hex(PHILOX_M1)} * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}
fn randn_at(seed: u32, stream: u32, offset: u32, e: u32) -> f32 {
  let w = philox4x32(vec4<u32>(e >> 2u, offset, 0u, 0u), vec2<u32>(seed, stream));
  let lane = e & 3u;
  let pair = select(w.xy, w.zw, lane >= 2u);
  let u1 = (f32(pair.x >> 8u) + 0.5f) / 16777216.0f;
  let u2 = (f32(pair.y >> 8u) + 0.5f) / 16777216.0f;
  let r = sqrt(-2.0f * log(u1));
  // theta is in (0, 2π]; shifting the upper half down by 2π (exact in f32) keeps sin/cos in [-π, π].
  let theta = ${TWO_PI_F32.toPrecision(9)}f * u2;
  let t = select(theta, theta - ${TWO_PI_F32.toPrecision(9)}f, theta > 3.14159274f);
  return select(r * cos(t), r * sin(t), (lane & 1u) == 1u);
}`;
