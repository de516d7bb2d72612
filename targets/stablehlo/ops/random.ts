/**
 * Lowering of randn inside the module: Philox4x32-10 counter words (philox.ts), then the Box–Muller
 * mapping of docs/ir.md, step for step as compiler/core/numeric/rng.ts computes it, so one seed gives
 * the same noise here as in the reference executor and in WGSL.
 */
import { TWO_PI_F32 } from '../../../compiler/core/numeric/rng.ts';
import { lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { philoxFunction } from '../philox.ts';
import { elemCount, ttype } from '../types.ts';
import type { FnWriter, Value } from '../writer.ts';

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
  const interleaved = w.reshape(
    w.concatenate(
      lanes.map((l) => w.reshape(l, [m, 1])),
      1,
    ),
    [4 * m],
  );
  const trimmed = n === 4 * m ? interleaved : w.slice(interleaved, [0], [n]);
  return w.convert(w.reshape(trimmed, out.shape), out.elem);
}

export const RANDOM_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  randn: lower(randn),
};
