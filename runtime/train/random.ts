/**
 * Training randomness as pure functions of (seed, stream, step): the counter-based Philox4x32-10
 * generator of compiler/core/numeric/rng.ts, keyed by (seed, stream), with the training step as the counter's
 * offset word. A step's data, timesteps and noise never depend on earlier steps, so a run resumed
 * from a checkpoint at step k draws exactly what an uninterrupted run draws from step k on: the
 * RNG position to save is the step itself.
 */
import { philox4x32, PHILOX_ROUNDS, randn, uniformFromBits } from '../../compiler/core/numeric/rng.ts';

/** Independent streams of one training run (the key's second word). */
export const STREAMS = {
  data: 101,
  dataNoise: 102,
  time: 103,
  noise: 104,
  labelDrop: 105,
  heldOut: 201,
  heldOutNoise: 202,
} as const;

/** `count` uniforms in (0, 1) for (seed, stream, offset): element e is word e % 4 of block e / 4. */
export function uniforms(seed: number, stream: number, offset: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const key = [seed >>> 0, stream >>> 0];
  const counter = [0, offset >>> 0, 0, 0];
  const words = new Uint32Array(4);
  for (let block = 0; block * 4 < count; block++) {
    counter[0] = block;
    philox4x32(counter, key, PHILOX_ROUNDS, words);
    for (let lane = 0; lane < 4 && block * 4 + lane < count; lane++) out[block * 4 + lane] = uniformFromBits(words[lane]);
  }
  return out;
}

/** `count` standard normals for (seed, stream, offset), as the IR's randn op draws them. */
export function normals(seed: number, stream: number, offset: number, count: number): Float32Array {
  return randn(seed, stream, offset, count);
}

/** Integers uniform in [0, n): floor(u·n) (the min only guards the rounding of u·n for huge n). */
export function integersBelow(n: number, seed: number, stream: number, offset: number, count: number): Int32Array {
  return Int32Array.from(uniforms(seed, stream, offset, count), (u) => Math.min(n - 1, Math.floor(u * n)));
}
