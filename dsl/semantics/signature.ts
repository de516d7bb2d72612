/**
 * Forward-fn signatures: `fn (x: f32[B, cin, H, W], e: f32[B, temb]) -> f32[B, cout, H, W]`.
 * Dims that name compile-time values (cin) are evaluated; unbound upper-case names (B, H, W) are
 * pattern variables unified with the argument shapes at each call; a leading `...` matches any
 * number of leading dims. A mismatch is reported at the call with a note at the declaration.
 * At a model's root the pattern variables stay symbolic: they become the graph's symbolic dims.
 * Dims are evaluated by an Evaluator (the lowering engine), so this file needs nothing of lowering.
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { formatType, tensorType, type DType, type Dim, type TensorType } from '../../compiler/core/ir/types.ts';
import { DSL, dslError, dslNote, type DslCode } from '../diagnostic-codes.ts';
import type { Expr, FnDecl, TypeExpr } from '../syntax/ast.ts';
import { isDimVariable } from './resolve-names.ts';
import { describe, raise, type ModuleInstance, type Scope, type Value } from './values.ts';

export type SigDim = { readonly kind: 'fixed'; readonly dim: Dim } | { readonly kind: 'var'; readonly name: string } | { readonly kind: 'ellipsis' };

export interface SigType {
  readonly dtype: DType;
  readonly dims: readonly SigDim[];
  readonly span: Span;
}

/** Pattern-variable bindings of one call; '...' binds the leading dims. */
export type Bindings = Map<string, Dim | readonly Dim[]>;

/** Evaluates the dims that name compile-time values (the lowering engine is one). */
export interface Evaluator {
  expr(e: Expr, scope: Scope): Value;
}

export function evalSigType(ev: Evaluator, t: TypeExpr, scope: Scope): SigType {
  if (t.kind !== 'tensorType') return raise(DSL.BadSignature, 'expected a tensor type', t.span);
  const dims = t.dims.map((d): SigDim => {
    if (d.kind === 'ellipsis') return { kind: 'ellipsis' };
    if (d.kind === 'name' && !scope.has(d.name) && isDimVariable(d.name)) return { kind: 'var', name: d.name };
    const v = ev.expr(d, scope);
    if (v.kind === 'num' && Number.isInteger(v.value) && v.value >= 0) return { kind: 'fixed', dim: v.value };
    if (v.kind === 'sym') return { kind: 'fixed', dim: v.name };
    return raise(DSL.BadSignature, `a dimension must be a non-negative int, got ${describe(v)}`, d.span);
  });
  return { dtype: t.dtype as DType, dims, span: t.span };
}

function bound(d: SigDim, b: Bindings): string {
  if (d.kind === 'fixed') return String(d.dim);
  if (d.kind === 'ellipsis') return b.has('...') ? (b.get('...') as Dim[]).join(', ') : '...';
  const v = b.get(d.name);
  return v === undefined ? d.name : String(v);
}

export function formatSig(sig: SigType, b: Bindings = new Map()): string {
  return `${sig.dtype}[${sig.dims
    .map((d) => bound(d, b))
    .filter((s) => s !== '')
    .join(',')}]`;
}

function mismatch(code: DslCode, message: string, span: Span, declSpan: Span): never {
  throw new DenocError([dslError(code, message, span), dslNote('declared here', declSpan)]);
}

/** Matches an argument's type against its declared type, extending `b`. */
export function unify(actual: TensorType, sig: SigType, b: Bindings, what: string, span: Span): void {
  const expected = (): string => formatSig(sig, b);
  const fail = (why: string): never =>
    mismatch(DSL.ShapeMismatch, `${what}: expected ${expected()}, got ${formatType(actual)} (${why})`, span, sig.span);
  if (actual.dtype !== sig.dtype)
    mismatch(
      DSL.DtypeMismatch,
      `${what}: expected ${expected()}, got ${formatType(actual)} (dtype ${actual.dtype} is not ${sig.dtype})`,
      span,
      sig.span,
    );
  const hasEllipsis = sig.dims[0]?.kind === 'ellipsis';
  const fixedRank = sig.dims.length - (hasEllipsis ? 1 : 0);
  if (hasEllipsis ? actual.shape.length < fixedRank : actual.shape.length !== fixedRank) {
    fail(`rank ${actual.shape.length}, expected ${hasEllipsis ? `at least ${fixedRank}` : fixedRank}`);
  }
  const lead = actual.shape.length - fixedRank;
  if (hasEllipsis) {
    const prev = b.get('...') as Dim[] | undefined;
    const dims = actual.shape.slice(0, lead);
    if (prev && (prev.length !== dims.length || prev.some((d, i) => d !== dims[i])))
      fail(`leading dims [${dims.join(', ')}] differ from [${prev.join(', ')}] bound by an earlier argument`);
    b.set('...', dims);
  }
  sig.dims.slice(hasEllipsis ? 1 : 0).forEach((d, i) => {
    const got = actual.shape[lead + i];
    if (d.kind === 'fixed' && d.dim !== got) fail(`dim ${lead + i} is ${got}, expected ${d.dim}`);
    if (d.kind !== 'var') return;
    const prev = b.get(d.name);
    if (prev !== undefined && prev !== got) fail(`dim ${lead + i} is ${got}, but ${d.name} = ${String(prev)} from an earlier argument`);
    b.set(d.name, got);
  });
}

/** The concrete type a declared result must have, given the call's bindings. */
export function resolveSig(sig: SigType, b: Bindings): TensorType {
  const dims: Dim[] = [];
  for (const d of sig.dims) {
    if (d.kind === 'fixed') dims.push(d.dim);
    else if (d.kind === 'ellipsis') {
      const lead = b.get('...');
      if (lead === undefined) raise(DSL.UnboundDim, `'...' in the result is not matched by any parameter`, sig.span);
      dims.push(...(lead as Dim[]));
    } else {
      const v = b.get(d.name);
      if (v === undefined) raise(DSL.UnboundDim, `dimension ${d.name} of the result is not bound by any parameter`, sig.span);
      dims.push(v as Dim);
    }
  }
  return tensorType(sig.dtype, dims);
}

export interface ModelSignature {
  readonly fn: FnDecl;
  readonly params: readonly { readonly name: string; readonly type: TensorType; readonly span: Span }[];
}

/** A model's inputs with pattern variables left symbolic (B stays 'B'). */
export function modelSignature(ev: Evaluator, inst: ModuleInstance): ModelSignature {
  if (inst.ctor.kind !== 'block' || inst.ctor.decl.fns.length !== 1) return raise(DSL.NoForward, `${inst.name} has no forward fn`, inst.span);
  const fn = inst.ctor.decl.fns[0];
  const params = fn.params.map((p) => {
    const sig = evalSigType(ev, p.type, inst.scope);
    if (sig.dims.some((d) => d.kind === 'ellipsis')) raise(DSL.BadSignature, `a model input cannot use '...'; spell out its dims`, p.type.span);
    const dims = sig.dims.map((d) => (d.kind === 'fixed' ? d.dim : (d as { name: string }).name));
    return { name: p.name, type: tensorType(sig.dtype, dims), span: p.span };
  });
  return { fn, params };
}

/** Checks returned values against the declared result type(s). */
export function checkResult(value: Value, result: TypeExpr | undefined, ev: Evaluator, scope: Scope, b: Bindings, span: Span): void {
  if (!result || value.kind === 'poison') return;
  const types = result.kind === 'tupleType' ? result.elements : [result];
  const values = value.kind === 'tuple' ? value.items : [value];
  if (values.length !== types.length) {
    mismatch(DSL.ResultCount, `returns ${values.length} value(s) but the signature declares ${types.length}`, span, result.span);
  }
  values.forEach((v, i) => {
    if (v.kind === 'poison') return;
    if (v.kind !== 'tensor') mismatch(DSL.ReturnMismatch, `returned value ${i + 1} is a ${describe(v)}, expected a tensor`, span, types[i].span);
    const sig = evalSigType(ev, types[i], scope);
    const want = resolveSig(sig, b);
    const got = v.node.type;
    if (got.kind !== 'tensor' || formatType(got) !== formatType(want)) {
      mismatch(DSL.ReturnMismatch, `returns ${formatType(got)} but the signature declares ${formatType(want)}`, span, types[i].span);
    }
  });
}
