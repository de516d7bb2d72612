/**
 * Parameter specs (what a model declares: dotted path, type, init) and deterministic seeded init.
 *
 * Each value is a pure function of (seed, parameter path, element index): a counter-based generator
 * hashes the counter with a key derived from the seed and the path, so a parameter's values do not
 * change when other parameters are added, removed or reordered.
 */
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { InitSpec, ParameterSpec } from '../../compiler/core/artifact.ts';
import { formatType } from '../../compiler/core/ir/types.ts';
import { checkLimit } from '../../compiler/core/limits.ts';
import { shapeNumel, tensor, type Tensor } from '../../compiler/core/tensor.ts';

export type { InitSpec, ParameterSpec } from '../../compiler/core/artifact.ts';

const INIT_KINDS: readonly InitSpec['kind'][] = ['zeros', 'ones', 'uniform', 'normal'];

/**
 * A 32-bit bijective integer mixer with strong avalanche ("lowbias32", constants found by
 * C. Wellons' hash-prospector); two rounds keyed differently make a counter-based generator.
 */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** FNV-1a over the UTF-8 bytes of the path. */
function hashPath(path: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(path)) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

/** Uniform numbers in (0, 1) for one parameter: `at(j)` depends only on (seed, path, j). */
function uniformStream(seed: number, path: string): (j: number) => number {
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / 2 ** 32) >>> 0;
  const k1 = mix32(mix32(seedLo ^ mix32(seedHi + 0x9e3779b9)) ^ hashPath(path));
  const k2 = mix32(k1 + 0x6a09e667);
  // 24 bits fill an f32 mantissa exactly; the half offset keeps 0 and 1 out (log(0) in Box-Muller).
  return (j) => ((mix32((mix32(j ^ k1) + k2) >>> 0) >>> 8) + 0.5) / 2 ** 24;
}

function fill(spec: InitSpec, n: number, seed: number, path: string): Float32Array {
  const out = new Float32Array(n);
  const scale = spec.scale ?? 1;
  if (spec.kind === 'ones') out.fill(1);
  if (spec.kind === 'uniform') {
    const u = uniformStream(seed, path);
    for (let i = 0; i < n; i++) out[i] = scale * (2 * u(i) - 1);
  }
  if (spec.kind === 'normal') {
    // Box-Muller: pair k uses uniforms 2k and 2k+1; even elements take the cosine, odd the sine.
    const u = uniformStream(seed, path);
    for (let i = 0; i < n; i += 2) {
      const r = scale * Math.sqrt(-2 * Math.log(u(i)));
      const angle = 2 * Math.PI * u(i + 1);
      out[i] = r * Math.cos(angle);
      if (i + 1 < n) out[i + 1] = r * Math.sin(angle);
    }
  }
  return out;
}

function checkSpec(spec: ParameterSpec): Diagnostic | undefined {
  const where = `parameter '${spec.path}' (${formatType(spec.type)})`;
  if (!spec.type.shape.every((d) => typeof d === 'number')) {
    return { code: 'WGT0201', severity: 'error', span: spec.span, message: `${where}: cannot initialize a shape with symbolic dims` };
  }
  const scale = spec.init.scale ?? 1;
  if (!INIT_KINDS.includes(spec.init.kind) || !Number.isFinite(scale) || scale < 0) {
    return {
      code: 'WGT0202',
      severity: 'error',
      span: spec.span,
      message: `${where}: init ${JSON.stringify(spec.init)} is not one of ${INIT_KINDS.join(', ')} with a finite scale >= 0`,
    };
  }
  return undefined;
}

/** Seeded values for every parameter, in spec order; throws one DenocError listing every bad spec. */
export function initWeights(specs: readonly ParameterSpec[], seed: number): Map<string, Tensor<Float32Array>> {
  if (!Number.isSafeInteger(seed)) {
    throw new DenocError({ code: 'WGT0202', severity: 'error', message: `seed ${seed} is not an integer` });
  }
  const problems = specs.map(checkSpec).filter((d): d is Diagnostic => d !== undefined);
  if (problems.length > 0) throw new DenocError(problems);
  // The front end checks these at declaration; specs can also come from elsewhere (a checkpoint's model).
  let bytes = 0;
  for (const spec of specs) {
    const elements = shapeNumel(spec.type.shape as number[]);
    checkLimit('tensorElements', elements, `parameter '${spec.path}'`);
    bytes += elements * 4;
  }
  checkLimit('parameterBytes', bytes, 'the parameters to initialize (as f32)');
  const out = new Map<string, Tensor<Float32Array>>();
  for (const spec of specs) {
    const shape = spec.type.shape as number[];
    out.set(spec.path, tensor(shape, fill(spec.init, shapeNumel(shape), seed, spec.path), spec.type.dtype));
  }
  return out;
}
