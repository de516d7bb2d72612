/**
 * The primitive modules of `std/nn`, written in TypeScript because each is one IR op plus its
 * parameters: Conv2d, Linear, GroupNorm, LayerNorm, BatchNorm2d, Embedding, Identity.
 * Composite blocks (attention, MLPs) live in std/nn.dn as DSL source.
 *
 * Parameter layouts follow docs/ir.md: conv weights OIHW, Linear weights [in, out] (y = x @ W + b).
 * Default init (PyTorch-like, so untrained models have sane activations): conv/linear weights
 * U(-1/√fan_in, 1/√fan_in), biases zeros, norm gamma ones and beta zeros, embeddings N(0, 1).
 */
import { tensorOf, type Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { formatType } from '../../compiler/core/ir/types.ts';
import type { InitSpec } from '../../compiler/core/artifact.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { PrimArgs, PrimCall, PrimitiveDef, PrimWeight, StdPrimitives } from '../semantics/primitive.ts';
import { raise } from '../semantics/values.ts';

const n = (args: PrimArgs, key: string): number => args[key] as number;
const fanIn = (fan: number): InitSpec => ({ kind: 'uniform', scale: 1 / Math.sqrt(fan) });
const ZEROS: InitSpec = { kind: 'zeros' };
const ONES: InitSpec = { kind: 'ones' };

function requireArg(ok: boolean, message: string, span: Span): void {
  if (!ok) raise(DSL.ArgType, message, span);
}

/** Checks the input's rank and the dims that the module's arguments fix (index → expected). */
function expectInput(call: PrimCall, x: Node, ranks: readonly [number, number], fixed: ReadonlyMap<number, number>, layout: string): void {
  const t = tensorOf(x);
  const r = t.shape.length;
  const rankOk = r >= ranks[0] && r <= ranks[1];
  const dimsOk = rankOk && [...fixed].every(([i, d]) => t.shape[i < 0 ? r + i : i] === d);
  if (!rankOk || !dimsOk || (t.dtype !== 'f32' && t.dtype !== 'f16' && t.dtype !== 'bf16')) {
    raise(DSL.ShapeMismatch, `${call.label} expects input ${layout}, got ${formatType(t)}`, call.span);
  }
}

const Conv2d: PrimitiveDef = {
  name: 'Conv2d',
  summary: '2-D convolution, NCHW input, OIHW weight, square kernel',
  params: [
    { name: 'cin', kind: 'int' },
    { name: 'cout', kind: 'int' },
    { name: 'k', kind: 'int' },
    { name: 'stride', kind: 'int', default: 1 },
    { name: 'pad', kind: 'int', default: 0 },
    { name: 'groups', kind: 'int', default: 1 },
    { name: 'bias', kind: 'bool', default: true },
  ],
  weights(a, span) {
    const g = n(a, 'groups');
    requireArg(
      n(a, 'cin') >= 1 && n(a, 'cout') >= 1 && n(a, 'k') >= 1 && n(a, 'stride') >= 1 && n(a, 'pad') >= 0 && g >= 1,
      'Conv2d needs cin, cout, k, stride, groups >= 1 and pad >= 0',
      span,
    );
    requireArg(
      n(a, 'cin') % g === 0 && n(a, 'cout') % g === 0,
      `Conv2d: cin (${n(a, 'cin')}) and cout (${n(a, 'cout')}) must be divisible by groups (${g})`,
      span,
    );
    const cg = n(a, 'cin') / g,
      k = n(a, 'k');
    const w: PrimWeight[] = [{ name: 'weight', shape: [n(a, 'cout'), cg, k, k], init: fanIn(cg * k * k) }];
    if (a.bias) w.push({ name: 'bias', shape: [n(a, 'cout')], init: ZEROS });
    return w;
  },
  forward(call, x) {
    const a = call.args;
    expectInput(call, x, [4, 4], new Map([[1, n(a, 'cin')]]), `[N, ${n(a, 'cin')}, H, W]`);
    const inputs = [x, call.weight('weight'), ...(a.bias ? [call.weight('bias')] : [])];
    const s = n(a, 'stride'),
      p = n(a, 'pad');
    return call.b.op('conv2d', inputs, { stride: [s, s], pad: [p, p], groups: n(a, 'groups') }, call.span);
  },
};

const Linear: PrimitiveDef = {
  name: 'Linear',
  summary: 'y = x @ W + b over the last axis, W stored [cin, cout]',
  params: [
    { name: 'cin', kind: 'int' },
    { name: 'cout', kind: 'int' },
    { name: 'bias', kind: 'bool', default: true },
  ],
  weights(a, span) {
    requireArg(n(a, 'cin') >= 1 && n(a, 'cout') >= 1, 'Linear needs cin, cout >= 1', span);
    const w: PrimWeight[] = [{ name: 'weight', shape: [n(a, 'cin'), n(a, 'cout')], init: fanIn(n(a, 'cin')) }];
    if (a.bias) w.push({ name: 'bias', shape: [n(a, 'cout')], init: ZEROS });
    return w;
  },
  forward(call, x) {
    const a = call.args;
    expectInput(call, x, [1, Infinity], new Map([[-1, n(a, 'cin')]]), `[..., ${n(a, 'cin')}]`);
    let xs = x;
    const rank = tensorOf(x).shape.length;
    if (rank === 1) xs = call.b.op('reshape', [x], { shape: [1, n(a, 'cin')] }, call.span);
    let y = call.b.op('matmul', [xs, call.weight('weight')], {}, call.span);
    if (a.bias) y = call.b.op('add', [y, call.weight('bias')], {}, call.span);
    return rank === 1 ? call.b.op('reshape', [y], { shape: [n(a, 'cout')] }, call.span) : y;
  },
};

const GroupNorm: PrimitiveDef = {
  name: 'GroupNorm',
  summary: 'group normalization over [N, C, ...] with per-channel affine',
  params: [
    { name: 'groups', kind: 'int' },
    { name: 'ch', kind: 'int' },
    { name: 'eps', kind: 'float', default: 1e-5 },
  ],
  weights(a, span) {
    requireArg(
      n(a, 'groups') >= 1 && n(a, 'ch') % n(a, 'groups') === 0,
      `GroupNorm: ch (${n(a, 'ch')}) must be divisible by groups (${n(a, 'groups')})`,
      span,
    );
    return [
      { name: 'weight', shape: [n(a, 'ch')], init: ONES },
      { name: 'bias', shape: [n(a, 'ch')], init: ZEROS },
    ];
  },
  forward(call, x) {
    const a = call.args;
    expectInput(call, x, [2, Infinity], new Map([[1, n(a, 'ch')]]), `[N, ${n(a, 'ch')}, ...]`);
    return call.b.op('group_norm', [x, call.weight('weight'), call.weight('bias')], { groups: n(a, 'groups'), eps: n(a, 'eps') }, call.span);
  },
};

const LayerNorm: PrimitiveDef = {
  name: 'LayerNorm',
  summary: 'normalizes the last axis; affine: false drops gamma and beta (as in adaLN)',
  params: [
    { name: 'dim', kind: 'int' },
    { name: 'affine', kind: 'bool', default: true },
    { name: 'eps', kind: 'float', default: 1e-5 },
  ],
  weights(a, span) {
    requireArg(n(a, 'dim') >= 1, 'LayerNorm needs dim >= 1', span);
    if (!a.affine) return [];
    return [
      { name: 'weight', shape: [n(a, 'dim')], init: ONES },
      { name: 'bias', shape: [n(a, 'dim')], init: ZEROS },
    ];
  },
  forward(call, x) {
    const a = call.args;
    expectInput(call, x, [1, Infinity], new Map([[-1, n(a, 'dim')]]), `[..., ${n(a, 'dim')}]`);
    const inputs = a.affine ? [x, call.weight('weight'), call.weight('bias')] : [x];
    return call.b.op('layer_norm', inputs, { eps: n(a, 'eps') }, call.span);
  },
};

const BatchNorm2d: PrimitiveDef = {
  name: 'BatchNorm2d',
  summary: 'inference batch norm over [N, C, H, W] with running statistics',
  params: [
    { name: 'ch', kind: 'int' },
    { name: 'eps', kind: 'float', default: 1e-5 },
  ],
  weights(a, span) {
    requireArg(n(a, 'ch') >= 1, 'BatchNorm2d needs ch >= 1', span);
    const c = [n(a, 'ch')];
    return [
      { name: 'weight', shape: c, init: ONES },
      { name: 'bias', shape: c, init: ZEROS },
      { name: 'running_mean', shape: c, init: ZEROS },
      { name: 'running_var', shape: c, init: ONES },
    ];
  },
  forward(call, x) {
    expectInput(call, x, [4, 4], new Map([[1, n(call.args, 'ch')]]), `[N, ${n(call.args, 'ch')}, H, W]`);
    const w = (k: string) => call.weight(k);
    return call.b.op('batch_norm', [x, w('running_mean'), w('running_var'), w('weight'), w('bias')], { eps: n(call.args, 'eps') }, call.span);
  },
};

const Embedding: PrimitiveDef = {
  name: 'Embedding',
  summary: 'a learned table of n vectors of size dim, indexed by i32 ids',
  params: [
    { name: 'n', kind: 'int' },
    { name: 'dim', kind: 'int' },
  ],
  weights(a, span) {
    requireArg(n(a, 'n') >= 1 && n(a, 'dim') >= 1, 'Embedding needs n, dim >= 1', span);
    return [{ name: 'weight', shape: [n(a, 'n'), n(a, 'dim')], init: { kind: 'normal', scale: 1 } }];
  },
  forward(call, ids) {
    const t = tensorOf(ids);
    if (t.dtype !== 'i32') raise(DSL.DtypeMismatch, `${call.label} expects i32 ids, got ${formatType(t)}`, call.span);
    return call.b.op('gather', [call.weight('weight'), ids], { axis: 0 }, call.span);
  },
};

const Identity: PrimitiveDef = {
  name: 'Identity',
  summary: 'returns its input (the "else" of conditional structure)',
  params: [],
  weights: () => [],
  forward: (_, x) => x,
};

/** The primitives of each std module that has any, by module name. */
export const STD_PRIMITIVES: StdPrimitives = {
  nn: [Conv2d, Linear, GroupNorm, LayerNorm, BatchNorm2d, Embedding, Identity],
};
