/**
 * Module instantiation: binds a block's compile-time arguments, evaluates its members in order
 * and records every parameter under its dotted path (`down.0.res.conv1.weight`).
 *
 * A member declaration may create modules directly (`conv = Conv2d(...)`), conditionally
 * (`skip = if cin != cout then Conv2d(cin, cout, k: 1) else Identity`), or as a list built by a
 * compile-time loop (`blocks = [ResBlock(ch, ch) for i in 0 .. depth]`, paths `blocks.0`, ...),
 * and may declare a raw parameter with `param(shape, init: normal(0.02))`.
 */
import type { Span } from '../../compiler/core/ir/span.ts';
import { bytesPerElement, formatType, tensorType, type DType } from '../../compiler/core/ir/types.ts';
import { checkLimit } from '../../compiler/core/limits.ts';
import type { InitSpec, ParameterSpec } from '../../compiler/core/artifact.ts';
import { DSL } from '../diagnostic-codes.ts';
import { bindArgs, requireArgs, type EvalArg } from '../semantics/args.ts';
import type { PrimitiveDef } from '../semantics/primitive.ts';
import {
  describe,
  expectInt,
  list,
  POISON,
  raise,
  Scope,
  wrongKind,
  type Constructor,
  type ModuleInstance,
  type Value,
} from '../semantics/values.ts';
import type { Expr } from '../syntax/ast.ts';
import { callValue, evalArgs } from './call.ts';
import type { Lowerer } from './context.ts';

export const joinPath = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);

/** Checks a compile-time argument against a declared type name (int, float, bool, str, list). */
export function checkKind(v: Value, type: string, what: string, span: Span): Value {
  const ok =
    v.kind === 'poison' ||
    (type === 'int' && v.kind === 'num' && Number.isInteger(v.value)) ||
    (type === 'float' && v.kind === 'num') ||
    (type === 'bool' && v.kind === 'bool') ||
    (type === 'str' && v.kind === 'str') ||
    (type === 'list' && v.kind === 'list') ||
    (type === 'Model' && v.kind === 'ctor');
  if (!ok) wrongKind(v, what, `${type === 'int' ? 'an' : 'a'} ${type}`, span);
  if (type === 'int' && v.kind === 'num') return { kind: 'num', value: v.value, int: true };
  if (type === 'float' && v.kind === 'num') return { kind: 'num', value: v.value, int: false };
  return v;
}

export function instantiate(lw: Lowerer, ctor: Constructor, args: readonly EvalArg[], path: string, span: Span): ModuleInstance {
  return ctor.kind === 'primitive' ? instantiatePrimitive(lw, ctor.def, args, path, span) : instantiateBlock(lw, ctor, args, path, span);
}

function instantiatePrimitive(lw: Lowerer, def: PrimitiveDef, args: readonly EvalArg[], path: string, span: Span): ModuleInstance {
  const names = def.params.map((p) => p.name);
  const bound = bindArgs(def.name, names, args);
  requireArgs(
    def.name,
    def.params.filter((p) => p.default === undefined).map((p) => p.name),
    bound,
    span,
  );
  const scope = new Scope();
  const values = new Map<string, Value>();
  for (const p of def.params) {
    const a = bound.get(p.name);
    const v = a
      ? checkKind(a.value, p.kind, `${def.name} argument '${p.name}'`, a.span)
      : typeof p.default === 'boolean'
        ? { kind: 'bool' as const, value: p.default }
        : { kind: 'num' as const, value: p.default!, int: p.kind === 'int' };
    values.set(p.name, v);
    scope.define(p.name, v);
  }
  const primArgs = Object.fromEntries([...values].map(([k, v]) => [k, (v as { value: number | boolean }).value]));
  for (const w of def.weights(primArgs, span)) {
    const wpath = joinPath(path, w.name);
    const type = tensorType('f32', w.shape);
    addParam(lw, { path: wpath, type, init: w.init, span });
    scope.define(w.name, { kind: 'weight', path: wpath, type, span });
  }
  return { name: def.name, path, ctor: { kind: 'primitive', def }, args: values, scope, span };
}

function instantiateBlock(
  lw: Lowerer,
  ctor: Extract<Constructor, { kind: 'block' }>,
  args: readonly EvalArg[],
  path: string,
  span: Span,
): ModuleInstance {
  const decl = ctor.decl;
  if (lw.instantiating.includes(decl)) raise(DSL.Recursion, `block ${decl.name} instantiates itself`, span);
  const names = decl.params.map((p) => p.name);
  const bound = bindArgs(decl.name, names, args);
  requireArgs(
    decl.name,
    decl.params.filter((p) => !p.default).map((p) => p.name),
    bound,
    span,
  );
  const scope = new Scope(ctor.scope);
  const values = new Map<string, Value>();
  for (const p of decl.params) {
    const a = bound.get(p.name);
    const raw = a ? a.value : lw.expr(p.default!, scope);
    const typeName = p.type.kind === 'scalarType' ? p.type.name : 'int';
    const v = checkKind(raw, typeName, `${decl.name} argument '${p.name}'`, a?.span ?? p.span);
    values.set(p.name, v);
    scope.define(p.name, v);
  }
  const inst: ModuleInstance = { name: decl.name, path, ctor, args: values, scope, span };
  lw.instantiating.push(decl);
  try {
    for (const m of decl.members) {
      let v: Value;
      try {
        v = memberValue(lw, m.value, scope, joinPath(path, m.name));
      } catch (e) {
        lw.record(e);
        v = POISON;
      }
      scope.define(m.name, v);
    }
  } finally {
    lw.instantiating.pop();
  }
  return inst;
}

/** Evaluates a member declaration; module constructors here get the member's path. */
export function memberValue(lw: Lowerer, e: Expr, scope: Scope, path: string): Value {
  switch (e.kind) {
    case 'call': {
      const callee = lw.expr(e.callee, scope);
      if (callee.kind === 'ctor') return { kind: 'module', inst: instantiate(lw, callee.ctor, evalArgs(lw, e, scope), path, e.span) };
      if (callee.kind === 'builtin' && callee.name === 'param') return declareParam(lw, evalArgs(lw, e, scope), path, e.span);
      return callValue(lw, callee, e, scope);
    }
    case 'name': {
      const v = lw.expr(e, scope);
      return v.kind === 'ctor' ? { kind: 'module', inst: instantiate(lw, v.ctor, [], path, e.span) } : v;
    }
    case 'list':
      return list(e.elements.map((x, k) => memberValue(lw, x, scope, joinPath(path, String(k)))));
    case 'comprehension':
      return list(
        lw.iterate(e.start, e.end, scope).map((v, k) => {
          const inner = new Scope(scope);
          inner.define(e.variable.name, v);
          return memberValue(lw, e.element, inner, joinPath(path, String(k)));
        }),
      );
    case 'ifExpr': {
      const cond = lw.expr(e.cond, scope);
      if (cond.kind === 'poison') return POISON;
      if (cond.kind !== 'bool') raise(DSL.BadCondition, `a member's condition must be a compile-time bool, got ${describe(cond)}`, e.cond.span);
      return memberValue(lw, cond.value ? e.then : e.else, scope, path);
    }
    default:
      return lw.expr(e, scope);
  }
}

/** `param(shape, init: normal(0.02), dtype: "f32")`: a raw parameter named by its member path. */
/** Bytes of the parameters declared so far, by the list they are declared into (one list per model). */
const paramBytes = new WeakMap<readonly ParameterSpec[], number>();

/**
 * Declares a parameter of the model being lowered. Its size and the model's total are checked here,
 * at compile time, before seeded init or a weights file allocates anything of that size.
 */
function addParam(lw: Lowerer, p: ParameterSpec): void {
  const elements = p.type.shape.reduce<number>((n, d) => n * (d as number), 1);
  checkLimit('tensorElements', elements, `parameter '${p.path}' ${formatType(p.type)}`, p.span);
  const bytes = (paramBytes.get(lw.params) ?? 0) + elements * bytesPerElement(p.type.dtype);
  checkLimit('parameterBytes', bytes, `the parameters of the model up to '${p.path}'`, p.span);
  lw.params.push(p);
  paramBytes.set(lw.params, bytes);
}

function declareParam(lw: Lowerer, args: readonly EvalArg[], path: string, span: Span): Value {
  const bound = bindArgs('param', ['shape', 'init', 'dtype'], args);
  requireArgs('param', ['shape'], bound, span);
  const shapeArg = bound.get('shape')!;
  if (shapeArg.value.kind !== 'list') raise(DSL.BadInit, `param shape must be a list of ints, got ${describe(shapeArg.value)}`, shapeArg.span);
  const shape = shapeArg.value.items.map((d) => {
    const n = expectInt(d, 'a param dimension', shapeArg.span);
    if (n < 1) raise(DSL.BadInit, `param dimensions must be >= 1, got ${n}`, shapeArg.span);
    return n;
  });
  const init = bound.has('init') ? initSpec(bound.get('init')!) : { kind: 'normal' as const, scale: 0.02 };
  const dtypeArg = bound.get('dtype');
  const dtype = (dtypeArg?.value.kind === 'str' ? dtypeArg.value.value : 'f32') as DType;
  if (!['f32', 'f16', 'bf16'].includes(dtype)) raise(DSL.BadInit, `param dtype must be "f32", "f16" or "bf16"`, dtypeArg?.span ?? span);
  const type = tensorType(dtype, shape);
  addParam(lw, { path, type, init, span });
  return { kind: 'weight', path, type, span };
}

function initSpec(a: EvalArg): InitSpec {
  const v = a.value;
  if (v.kind === 'init') return v.spec;
  if (v.kind === 'builtin' && (v.name === 'zeros' || v.name === 'ones')) return { kind: v.name };
  return raise(DSL.BadInit, `init must be zeros, ones, uniform(scale) or normal(scale), got ${describe(v)}`, a.span);
}
