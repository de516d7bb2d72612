/**
 * randn inside the module: Philox4x32-10 (Salmon et al., SC'11) written with ui32 StableHLO ops,
 * then the Box–Muller mapping of docs/ir.md, step for step as compiler/core/numeric/rng.ts computes it, so one seed
 * gives the same noise here as in the reference executor and in WGSL.
 *
 * The 32×32→64-bit products are built from 16-bit halves: every partial product is below 2^32, so
 * nothing relies on wrapping multiplication (TPUs have no 64-bit integer multiplier either). The ten
 * rounds run as a `stablehlo.while` in a private function, one per counter-vector length.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1, TWO_PI_F32 } from '../../compiler/core/numeric/rng.ts';
import { lower, type LowerCtx, type LoweringEntry } from './lower-context.ts';
import type { ModuleWriter } from './module.ts';
import { elemCount, ttype } from './types.ts';
import type { FnWriter, Value } from './writer.ts';

/** (hi, lo) words of the 64-bit product of the constant `a` with every element of `b`. */
function mulhilo(w: FnWriter, a: number, b: Value): [Value, Value] {
  const shape = b.type.shape;
  const k = (v: number): Value => w.splat(v, 'ui32', shape);
  const lowMask = k(0xffff);
  const sixteen = k(16);
  const bl = w.binary('and', b, lowMask);
  const bh = w.binary('shift_right_logical', b, sixteen);
  const al = k(a & 0xffff), ah = k(a >>> 16);
  const p0 = w.binary('multiply', al, bl);
  const p1 = w.binary('multiply', al, bh);
  const p2 = w.binary('multiply', ah, bl);
  const p3 = w.binary('multiply', ah, bh);
  const hi16 = (v: Value): Value => w.binary('shift_right_logical', v, sixteen);
  const lo16 = (v: Value): Value => w.binary('and', v, lowMask);
  const mid = w.binary('add', w.binary('add', hi16(p0), lo16(p1)), lo16(p2));
  const hi = w.binary('add', w.binary('add', w.binary('add', p3, hi16(p1)), hi16(p2)), hi16(mid));
  const lo = w.binary('or', w.binary('shift_left', lo16(mid), sixteen), lo16(p0));
  return [hi, lo];
}

/** One Philox round on counter words x, key words (k0, k1): returns the new counter words. */
function philoxRound(w: FnWriter, x: readonly Value[], k0: Value, k1: Value): Value[] {
  const [hi0, lo0] = mulhilo(w, PHILOX_M0, x[0]);
  const [hi1, lo1] = mulhilo(w, PHILOX_M1, x[2]);
  return [w.binary('xor', w.binary('xor', hi1, x[1]), k0), lo1, w.binary('xor', w.binary('xor', hi0, x[3]), k1), lo0];
}

/** `@philox4x32_10_<m>(c0, c1, c2, c3: ui32[m], k0, k1: ui32) -> 4 × ui32[m]`. */
export function philoxFunction(module: ModuleWriter, m: number): string {
  const vec = ttype('ui32', [m]);
  const key = ttype('ui32', []);
  return module.ensureFunc(`philox4x32_10_${m}`, { params: [vec, vec, vec, vec, key, key], results: [vec, vec, vec, vec] }, (w, args) => {
    const keys = [w.broadcastInDim(args[4], [], [m]), w.broadcastInDim(args[5], [], [m])];
    const state = w.whileLoop(
      [w.splat(0, 'i32'), ...args.slice(0, 4), ...keys],
      (cw, a) => cw.compare('LT', a[0], cw.splat(PHILOX_ROUNDS, 'i32')),
      (bw, a) => {
        const next = philoxRound(bw, a.slice(1, 5), a[5], a[6]);
        const k0 = bw.binary('add', a[5], bw.splat(PHILOX_W0, 'ui32', [m]));
        const k1 = bw.binary('add', a[6], bw.splat(PHILOX_W1, 'ui32', [m]));
        return [bw.binary('add', a[0], bw.splat(1, 'i32')), ...next, k0, k1];
      },
    );
    return state.slice(1, 5);
  });
}

/** (f32(x >> 8) + 0.5) / 2^24: a uniform in (0, 1], never 0. */
function uniform(w: FnWriter, x: Value): Value {
  const shape = x.type.shape;
  const top24 = w.convert(w.binary('shift_right_logical', x, w.splat(8, 'ui32', shape)), 'f32');
  return w.binary('divide', w.binary('add', top24, w.splat(0.5, 'f32', shape)), w.splat(16777216, 'f32', shape));
}

/** [r·cos θ, r·sin θ], r = sqrt(−2 ln u1), θ = 2π·u2 (2π rounded to f32 first, as compiler/core/numeric/rng.ts does). */
function boxMuller(w: FnWriter, x1: Value, x2: Value): [Value, Value] {
  const shape = x1.type.shape;
  const r = w.unary('sqrt', w.binary('multiply', w.splat(-2, 'f32', shape), w.unary('log', uniform(w, x1))));
  const theta = w.binary('multiply', w.splat(TWO_PI_F32, 'f32', shape), uniform(w, x2));
  return [w.binary('multiply', r, w.unary('cosine', theta)), w.binary('multiply', r, w.unary('sine', theta))];
}

/** Element e takes lane e % 4 of counter block floor(e/4): interleave the 4 lanes, then trim. */
function randn({ w, module, inputs, attrs, out }: LowerCtx): Value {
  const n = elemCount(out.shape);
  const m = Math.ceil(n / 4);
  const vec = ttype('ui32', [m]);
  const fn = philoxFunction(module, m);
  const seed = w.bitcastConvert(inputs[0], 'ui32');
  const stream = w.splat(attrs.stream as number, 'ui32');
  const offset = inputs[1] ? w.broadcastInDim(w.bitcastConvert(inputs[1], 'ui32'), [], [m]) : w.splat(0, 'ui32', [m]);
  const zeros = w.splat(0, 'ui32', [m]);
  const words = w.call(fn, [w.iota(0, vec), offset, zeros, zeros, seed, stream], [vec, vec, vec, vec]);
  const lanes = [...boxMuller(w, words[0], words[1]), ...boxMuller(w, words[2], words[3])];
  const interleaved = w.reshape(w.concatenate(lanes.map((l) => w.reshape(l, [m, 1])), 1), [4 * m]);
  const trimmed = n === 4 * m ? interleaved : w.slice(interleaved, [0], [n]);
  return w.convert(w.reshape(trimmed, out.shape), out.elem);
}

export const RANDOM_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  randn: lower(randn),
};
