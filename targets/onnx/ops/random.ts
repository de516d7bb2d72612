/**
 * ONNX lowering of randn, exact: Philox4x32-10 counter words in int64 ops (philox.ts), then the
 * Box–Muller mapping of docs/ir.md step for step as compiler/core/numeric/rng.ts computes it in f32,
 * so one seed gives the same noise here as in the reference executor (up to onnxruntime's rounding
 * of log, sqrt, cos and sin). Element e is lane e mod 4 of counter block ⌊e/4⌋.
 */
import { TWO_PI_F32 } from '../../../compiler/core/numeric/rng.ts';
import { tensorOf } from '../../../compiler/core/ir/node.ts';
import { f32, i64, lower, onnxDType, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { asU32, philoxWords } from '../philox.ts';

/** (f32(x >> 8) + 0.5) / 2^24: a uniform in (0, 1], never 0. */
function uniform(ctx: LowerCtx, x: string): string {
  const top24 = ctx.w.emit('Cast', [ctx.w.emit('Div', [x, ctx.w.constant('i64', [256], [])])], { to: { i: 1 } });
  return ctx.w.emit('Div', [ctx.w.emit('Add', [top24, f32(ctx, 0.5)]), f32(ctx, 16777216)]);
}

/** [r·cos θ, r·sin θ], r = √(−2 ln u1), θ = 2π·u2 with 2π rounded to f32 first. */
function boxMuller(ctx: LowerCtx, x1: string, x2: string): [string, string] {
  const { w } = ctx;
  const r = w.emit('Sqrt', [w.emit('Mul', [f32(ctx, -2), w.emit('Log', [uniform(ctx, x1)])])]);
  const theta = w.emit('Mul', [f32(ctx, TWO_PI_F32), uniform(ctx, x2)]);
  return [w.emit('Mul', [r, w.emit('Cos', [theta])]), w.emit('Mul', [r, w.emit('Sin', [theta])])];
}

function randn(ctx: LowerCtx): void {
  const { w, shape } = ctx;
  onnxDType(tensorOf(ctx.node).dtype, ctx.node);
  const n = shape.reduce((a, d) => a * d, 1);
  const m = Math.ceil(n / 4);
  const blocks = w.constant(
    'i64',
    Array.from({ length: m }, (_, i) => i),
  );
  const offset = ctx.inputs[1] ? asU32(w, ctx.inputs[1]) : w.constant('i64', [0], []);
  const words = philoxWords(w, blocks, offset, asU32(w, ctx.inputs[0]), ctx.attrs.stream as number);
  const lanes = [...boxMuller(ctx, words[0], words[1]), ...boxMuller(ctx, words[2], words[3])];
  const column = i64(ctx, [m, 1]);
  const interleaved = w.emit('Reshape', [
    w.emit(
      'Concat',
      lanes.map((l) => w.emit('Reshape', [l, column])),
      { axis: { i: 1 } },
    ),
    i64(ctx, [4 * m]),
  ]);
  const trimmed = n === 4 * m ? interleaved : w.emit('Slice', [interleaved, i64(ctx, [0]), i64(ctx, [n])]);
  w.emit('Reshape', [trimmed, i64(ctx, shape)], {}, ctx.out);
}

export const RANDOM_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  randn: lower(randn),
};
