/**
 * Philox4x32-10 (Salmon et al., SC'11) written with ui32 StableHLO ops, step for step as
 * compiler/core/numeric/rng.ts computes it, so one seed gives the same counter words here as in the
 * reference executor and in WGSL; randn (ops/random.ts) maps them to normals.
 *
 * The 32×32→64-bit products are built from 16-bit halves: every partial product is below 2^32, so
 * nothing relies on wrapping multiplication (TPUs have no 64-bit integer multiplier either). The ten
 * rounds run as a `stablehlo.while` in a private function, one per counter-vector length.
 */
import { PHILOX_M0, PHILOX_M1, PHILOX_ROUNDS, PHILOX_W0, PHILOX_W1 } from '../../compiler/core/numeric/rng.ts';
import type { ModuleWriter } from './module.ts';
import { ttype } from './types.ts';
import type { FnWriter, Value } from './writer.ts';

/** (hi, lo) words of the 64-bit product of the constant `a` with every element of `b`. */
function mulhilo(w: FnWriter, a: number, b: Value): [Value, Value] {
  const shape = b.type.shape;
  const k = (v: number): Value => w.splat(v, 'ui32', shape);
  const lowMask = k(0xffff);
  const sixteen = k(16);
  const bl = w.binary('and', b, lowMask);
  const bh = w.binary('shift_right_logical', b, sixteen);
  const al = k(a & 0xffff),
    ah = k(a >>> 16);
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
