/**
 * Procedural 2-D datasets for training point-cloud denoisers (mlp2d), seeded and unlimited: point i
 * of a draw is a pure function of (seed, stream, offset, i), so a training step's batch depends only
 * on the run's seed and the step (random.ts). Every set is centred near the origin with a spread of
 * about 1 per axis, the scale VP diffusion's unit-variance noise assumes.
 *
 *   moons       two interleaved half circles (the shape of scikit-learn's make_moons), scaled ×2
 *               and centred: x = 2(cos θ − 0.5), y = 2(sin θ − 0.25) and the mirrored lower moon
 *   rings       two concentric circles of radius 1 and 2, points spread evenly along their length
 *   gaussians8  eight Gaussians at radius 2, 45° apart (the usual mode-collapse test)
 * Each point gets isotropic Gaussian jitter of std JITTER (for gaussians8: each Gaussian's std).
 */
import { normals, uniforms } from './random.ts';

export const TOY2D_SETS = ['moons', 'rings', 'gaussians8'] as const;
export type Toy2dName = (typeof TOY2D_SETS)[number];

const JITTER = 0.1;
const GAUSSIAN_RADIUS = 2;

/** Maps two uniforms per point to a clean point of the set. */
type Shape = (u: number, v: number) => [number, number];

const SHAPES: Readonly<Record<Toy2dName, Shape>> = {
  moons: (u, v) => {
    const theta = Math.PI * v;
    // upper moon: (cos θ, sin θ); lower moon: (1 − cos θ, 0.5 − sin θ); then centre and scale
    const [x, y] = u < 0.5 ? [Math.cos(theta), Math.sin(theta)] : [1 - Math.cos(theta), 0.5 - Math.sin(theta)];
    return [2 * (x - 0.5), 2 * (y - 0.25)];
  },
  rings: (u, v) => {
    // a circle of radius r has length 2πr: the outer ring gets 2/3 of the points
    const r = u < 1 / 3 ? 1 : 2;
    return [r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v)];
  },
  gaussians8: (u) => {
    const angle = (2 * Math.PI * Math.min(7, Math.floor(8 * u))) / 8;
    return [GAUSSIAN_RADIUS * Math.cos(angle), GAUSSIAN_RADIUS * Math.sin(angle)];
  },
};

export function isToy2d(name: string): name is Toy2dName {
  return (TOY2D_SETS as readonly string[]).includes(name);
}

/** `n` points (row-major n×2) of the set for (seed, stream, offset); `noiseStream` draws the jitter. */
export function toy2d(name: Toy2dName, n: number, seed: number, stream: number, noiseStream: number, offset: number): Float32Array {
  const u = uniforms(seed, stream, offset, 2 * n);
  const z = normals(seed, noiseStream, offset, 2 * n);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const [x, y] = SHAPES[name](u[2 * i], u[2 * i + 1]);
    out[2 * i] = x + JITTER * z[2 * i];
    out[2 * i + 1] = y + JITTER * z[2 * i + 1];
  }
  return out;
}
