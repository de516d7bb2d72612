/**
 * Math builtins that apply to compile-time numbers, lists of numbers (elementwise: `sqrt(abar)`
 * turns a schedule table into another), per-step values and tensors alike, plus the compile-time
 * helpers int, float, floor, ceil, round, len, min, max.
 */
import type { Span } from '../../compiler/core/ir/span.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { BuiltinContext, BuiltinFn } from '../lower/context.ts';
import { describe, expectNum, int, list, num, raise, type Value } from '../semantics/values.ts';
import { builtin, type Args } from './define.ts';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Elementwise functions: IR op name and the same function on float64 numbers. */
const UNARY: Readonly<Record<string, readonly [string, (x: number) => number]>> = {
  exp: ['exp', Math.exp],
  log: ['log', Math.log],
  sqrt: ['sqrt', Math.sqrt],
  rsqrt: ['rsqrt', (x) => 1 / Math.sqrt(x)],
  sin: ['sin', Math.sin],
  cos: ['cos', Math.cos],
  tanh: ['tanh', Math.tanh],
  sigmoid: ['sigmoid', sigmoid],
  silu: ['silu', (x) => x * sigmoid(x)],
  relu: ['relu', (x) => Math.max(0, x)],
  square: ['square', (x) => x * x],
  abs: ['abs', Math.abs],
};

function mapNumbers(v: Value, f: (x: number) => number, what: string, span: Span): Value {
  if (v.kind === 'num') return num(f(v.value), false);
  if (v.kind === 'list') return list(v.items.map((x) => mapNumbers(x, f, what, span)));
  if (v.kind === 'stepwise') return { kind: 'stepwise', values: v.values.map((x) => mapNumbers(x, f, what, span)) };
  return raise(DSL.ArgType, `${what} applies to numbers and tensors, got ${describe(v)}`, span);
}

function unaryBuiltin(name: string, op: string, f: (x: number) => number): BuiltinFn {
  return builtin(name, ['x'], 1, (a, ctx) => {
    const v = a.value('x');
    if (v.kind === 'tensor') return ctx.tensorOp(op, [v.node], {}, a.span);
    if (name === 'abs' && v.kind === 'num') return num(Math.abs(v.value), v.int);
    return mapNumbers(v, f, name, a.spanOf('x'));
  });
}

function roundBuiltin(name: string, f: (x: number) => number): BuiltinFn {
  return builtin(name, ['x'], 1, (a) => int(f(a.num('x'))));
}

/** min/max of two numbers or of a list; `max(x, axes: ...)` of a tensor is reduce_max. */
function extremum(name: 'min' | 'max', pick: (...xs: number[]) => number): BuiltinFn {
  return builtin(name, ['x', 'y', 'axes', 'keepdims'], 1, (a, ctx) => {
    const x = a.value('x');
    if (x.kind === 'tensor') return reduceMax(name, a, ctx);
    const xs = a.has('y') ? [x, a.value('y')] : x.kind === 'list' ? x.items : [x];
    if (xs.length === 0) raise(DSL.ArgType, `${name} of an empty list`, a.span);
    const values = xs.map((v) => expectNum(v, `${name} argument`, a.span));
    const allInt = xs.every((v) => v.kind === 'num' && v.int);
    return num(pick(...values), allInt);
  });
}

function reduceMax(name: string, a: Args, ctx: BuiltinContext): Value {
  if (name === 'min') raise(DSL.ArgType, 'min of a tensor is not available; use -max(-x, axes: ...)', a.span);
  if (a.has('y')) raise(DSL.ArgType, 'max(x, axes: ...) reduces one tensor; use maximum(a, b) for two tensors', a.spanOf('y'));
  const x = a.tensor(ctx, 'x');
  const rank = x.type.kind === 'tensor' ? x.type.shape.length : 0;
  const axes = a.has('axes') ? a.ints('axes') : Array.from({ length: rank }, (_, i) => i);
  return ctx.tensorOp('reduce_max', [x], { axes, keepdims: a.bool('keepdims', false) }, a.span);
}

function elementwise2(name: string, op: string, f: (x: number, y: number) => number): BuiltinFn {
  return builtin(name, ['a', 'b'], 2, (a, ctx) => {
    const x = a.value('a'),
      y = a.value('b');
    if (x.kind === 'num' && y.kind === 'num') return num(f(x.value, y.value), x.int && y.int);
    const like = x.kind === 'tensor' ? x.node : y.kind === 'tensor' ? y.node : undefined;
    const dtype = like?.type.kind === 'tensor' ? like.type.dtype : 'f32';
    return ctx.tensorOp(op, [ctx.toTensor(x, a.spanOf('a'), dtype), ctx.toTensor(y, a.spanOf('b'), dtype)], {}, a.span);
  });
}

export const MATH_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([name, [op, f]]) => [name, unaryBuiltin(name, op, f)])),
  int: roundBuiltin('int', Math.trunc),
  floor: roundBuiltin('floor', Math.floor),
  ceil: roundBuiltin('ceil', Math.ceil),
  round: roundBuiltin('round', Math.round),
  float: builtin('float', ['x'], 1, (a) => num(a.num('x'), false)),
  len: builtin('len', ['x'], 1, (a) => {
    const v = a.value('x');
    if (v.kind !== 'list' && v.kind !== 'tuple') raise(DSL.ArgType, `len needs a list, got ${describe(v)}`, a.spanOf('x'));
    return int(v.items.length);
  }),
  min: extremum('min', Math.min),
  max: extremum('max', Math.max),
  minimum: elementwise2('minimum', 'min', Math.min),
  maximum: elementwise2('maximum', 'max', Math.max),
};
