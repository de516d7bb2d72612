/**
 * Tensor builtins, each lowering to one op of docs/ir.md (reshape infers one -1; negative axes
 * are normalised so equal ops intern to one node), plus noise (`randn`, samplers only: a fresh
 * stream per call site, offset = step inside the sampling loop) and init specs for `param`.
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { DTYPES, formatShape, symbolicNumel, type DType, type Dim } from '../../compiler/core/ir/types.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { BuiltinContext, BuiltinFn } from '../lower/context.ts';
import { describe, raise, type Value } from '../semantics/values.ts';
import { builtin, type Args } from './define.ts';

const rankOf = (x: Node): number => tensorOf(x).shape.length;

function normAxis(axis: number, rank: number, span: Span): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) raise(DSL.BadAxis, `axis ${axis} is out of range for rank ${rank}`, span);
  return a;
}

function reduction(op: string): BuiltinFn {
  return builtin(op, ['x', 'axes', 'keepdims'], 1, (a, ctx) => {
    const x = a.tensor(ctx, 'x');
    const r = rankOf(x);
    const axes = a.has('axes') ? a.ints('axes').map((ax) => normAxis(ax, r, a.spanOf('axes'))) : Array.from({ length: r }, (_, i) => i);
    return ctx.tensorOp(op, [x], { axes: [...new Set(axes)].sort((p, q) => p - q), keepdims: a.bool('keepdims', false) }, a.span);
  });
}

/** Solves one -1 in a target shape from the element count (symbols included). */
export function inferReshape(from: readonly Dim[], target: readonly Dim[], span: Span): Dim[] {
  const holes = target.filter((d) => d === -1).length;
  if (holes > 1) raise(DSL.BadReshape, `reshape target ${formatShape(target)} has more than one -1`, span);
  if (target.some((d) => typeof d === 'number' && d < -1)) raise(DSL.BadReshape, `reshape target ${formatShape(target)} has a negative dim`, span);
  if (holes === 0) return [...target];
  const have = symbolicNumel(from),
    known = symbolicNumel(target.filter((d) => d !== -1));
  const rest = [...have.symbols];
  for (const s of known.symbols) {
    const i = rest.indexOf(s);
    if (i < 0) raise(DSL.BadReshape, `reshape target ${formatShape(target)} uses ${s}, which ${formatShape(from)} does not have`, span);
    rest.splice(i, 1);
  }
  const q = known.factor === 0 ? NaN : have.factor / known.factor;
  let solved: Dim | undefined;
  if (Number.isInteger(q) && rest.length === 0) solved = q;
  else if (q === 1 && rest.length === 1) solved = rest[0];
  if (solved === undefined) {
    raise(DSL.BadReshape, `cannot reshape ${formatShape(from)} to ${formatShape(target)}: the -1 would have to be ${[q, ...rest].join('·')}`, span);
  }
  return target.map((d) => (d === -1 ? solved! : d));
}

function fill(a: Args, ctx: BuiltinContext, value: Value, like?: Node): Value {
  const shape = like ? tensorOf(like).shape : a.dims('shape');
  const dtype = like ? tensorOf(like).dtype : (a.str('dtype', 'f32') as DType);
  return ctx.tensorOp('broadcast_to', [ctx.toTensor(value, a.span, dtype)], { shape }, a.span);
}

function randn(a: Args, ctx: BuiltinContext): Value {
  const s = ctx.sampler;
  if (!s) raise(DSL.RandnOutsideSampler, 'randn draws noise from the sampler seed, so it can only be used in a sampler', a.span);
  const inputs = ctx.loop ? [s.seed, ctx.loop.iter] : [s.seed];
  return ctx.tensorOp('randn', inputs, { shape: a.dims('shape'), stream: s.streams.next++ }, a.span);
}

function initBuiltin(kind: 'uniform' | 'normal'): BuiltinFn {
  return builtin(kind, ['scale'], 1, (a) => {
    const scale = a.num('scale');
    if (!(scale > 0)) raise(DSL.BadInit, `${kind} needs a positive scale, got ${scale}`, a.spanOf('scale'));
    return { kind: 'init', spec: { kind, scale } };
  });
}

function sameDtype(ctx: BuiltinContext, a: Args, names: readonly string[]): Node[] {
  const first = names.map((n) => a.value(n)).find((v) => v.kind === 'tensor');
  const dtype = first?.kind === 'tensor' ? tensorOf(first.node).dtype : 'f32';
  return names.map((n) => ctx.toTensor(a.value(n), a.spanOf(n), dtype));
}

export const TENSOR_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  gelu: builtin('gelu', ['x', 'approximate'], 1, (a, ctx) =>
    ctx.tensorOp('gelu', [a.tensor(ctx, 'x')], { approximate: a.str('approximate', 'tanh') }, a.span),
  ),
  softmax: builtin('softmax', ['x', 'axis'], 1, (a, ctx) => {
    const x = a.tensor(ctx, 'x');
    return ctx.tensorOp('softmax', [x], { axis: normAxis(a.int('axis', -1), rankOf(x), a.spanOf('axis')) }, a.span);
  }),
  sum: reduction('sum'),
  mean: reduction('mean'),
  variance: reduction('variance'),
  matmul: builtin('matmul', ['a', 'b', 'transpose_a', 'transpose_b'], 2, (a, ctx) =>
    ctx.tensorOp(
      'matmul',
      [a.tensor(ctx, 'a'), a.tensor(ctx, 'b')],
      { transposeA: a.bool('transpose_a', false), transposeB: a.bool('transpose_b', false) },
      a.span,
    ),
  ),
  reshape: builtin('reshape', ['x', 'shape'], 2, (a, ctx) => {
    const x = a.tensor(ctx, 'x');
    return ctx.tensorOp('reshape', [x], { shape: inferReshape(tensorOf(x).shape, a.dims('shape'), a.span) }, a.span);
  }),
  transpose: builtin('transpose', ['x', 'perm'], 1, (a, ctx) => {
    const x = a.tensor(ctx, 'x');
    const r = rankOf(x);
    const perm = a.has('perm') ? a.ints('perm').map((p) => normAxis(p, r, a.spanOf('perm'))) : Array.from({ length: r }, (_, i) => r - 1 - i);
    return ctx.tensorOp('transpose', [x], { perm }, a.span);
  }),
  concat: builtin('concat', ['xs', 'axis'], 1, (a, ctx) => {
    const xs = a.value('xs');
    if (xs.kind !== 'list' || xs.items.length === 0)
      raise(DSL.ArgType, `concat needs a non-empty list of tensors, got ${describe(xs)}`, a.spanOf('xs'));
    const nodes = xs.items.map((v) =>
      v.kind === 'tensor' ? v.node : raise(DSL.ArgType, `concat needs tensors, got ${describe(v)}`, a.spanOf('xs')),
    );
    return ctx.tensorOp('concat', nodes, { axis: normAxis(a.int('axis', 0), rankOf(nodes[0]), a.spanOf('axis')) }, a.span);
  }),
  attention: builtin('attention', ['q', 'k', 'v', 'scale'], 3, (a, ctx) =>
    ctx.tensorOp('attention', [a.tensor(ctx, 'q'), a.tensor(ctx, 'k'), a.tensor(ctx, 'v')], { scale: a.num('scale', 0) }, a.span),
  ),
  upsample: builtin('upsample', ['x', 'scale'], 1, (a, ctx) =>
    ctx.tensorOp('upsample_nearest', [a.tensor(ctx, 'x')], { scale: a.int('scale', 2) }, a.span),
  ),
  avg_pool: builtin('avg_pool', ['x', 'k', 'stride'], 1, (a, ctx) => {
    const k = a.int('k', 2);
    const s = a.int('stride', k);
    return ctx.tensorOp('avg_pool2d', [a.tensor(ctx, 'x')], { kernel: [k, k], stride: [s, s] }, a.span);
  }),
  timestep_embedding: builtin('timestep_embedding', ['t', 'dim', 'max_period'], 2, (a, ctx) =>
    ctx.tensorOp('timestep_embedding', [a.tensor(ctx, 't', 'f32')], { dim: a.int('dim'), maxPeriod: a.num('max_period', 10000) }, a.span),
  ),
  where: builtin('where', ['cond', 'a', 'b'], 3, (a, ctx) =>
    ctx.tensorOp('where', [a.tensor(ctx, 'cond', 'bool'), ...sameDtype(ctx, a, ['a', 'b'])], {}, a.span),
  ),
  broadcast_to: builtin('broadcast_to', ['x', 'shape'], 2, (a, ctx) =>
    ctx.tensorOp('broadcast_to', [a.tensor(ctx, 'x', 'f32')], { shape: a.dims('shape') }, a.span),
  ),
  zeros: builtin('zeros', ['shape', 'dtype'], 1, (a, ctx) => fill(a, ctx, { kind: 'num', value: 0, int: true })),
  ones: builtin('ones', ['shape', 'dtype'], 1, (a, ctx) => fill(a, ctx, { kind: 'num', value: 1, int: true })),
  full: builtin('full', ['shape', 'value', 'dtype'], 2, (a, ctx) => fill(a, ctx, a.value('value'))),
  zeros_like: builtin('zeros_like', ['x'], 1, (a, ctx) => fill(a, ctx, { kind: 'num', value: 0, int: true }, a.tensor(ctx, 'x'))),
  ones_like: builtin('ones_like', ['x'], 1, (a, ctx) => fill(a, ctx, { kind: 'num', value: 1, int: true }, a.tensor(ctx, 'x'))),
  cast: builtin('cast', ['x', 'dtype'], 2, (a, ctx) => {
    const dtype = a.str('dtype', 'f32');
    if (!(DTYPES as readonly string[]).includes(dtype))
      raise(DSL.ArgType, `cast: unknown dtype "${dtype}" (expected ${DTYPES.join(', ')})`, a.spanOf('dtype'));
    return ctx.tensorOp('cast', [a.tensor(ctx, 'x')], { dtype }, a.span);
  }),
  pad: builtin('pad', ['x', 'pads', 'value'], 2, (a, ctx) =>
    ctx.tensorOp('pad', [a.tensor(ctx, 'x')], { pads: a.ints('pads'), value: a.num('value', 0) }, a.span),
  ),
  randn: builtin('randn', ['shape'], 1, randn),
  uniform: initBuiltin('uniform'),
  normal: initBuiltin('normal'),
  param: builtin('param', ['shape', 'init', 'dtype'], 1, (a) =>
    raise(DSL.BadInit, 'param(...) declares a parameter; use it as a member (w = param([4, 4]))', a.span),
  ),
};
