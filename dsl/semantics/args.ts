/**
 * Argument binding shared by every callee (blocks, primitives, builtins, samplers): positional
 * then named arguments, "did you mean" for unknown names. For builtins, `builtin(name, params,
 * required, impl)` declares one and `Args` gives typed access to its arguments (DSL0305 on misuse).
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { DType, Dim } from '../../compiler/core/ir/types.ts';
import { suggest } from '../../compiler/core/diagnostics.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { Lowerer } from '../lower/expr.ts';
import { describe, expectBool, expectInt, expectNum, raise, type Value } from './values.ts';

export interface EvalArg { readonly name?: string; readonly value: Value; readonly span: Span }

/** Matches positional then named arguments to parameter names; missing ones are left out. */
export function bindArgs(what: string, names: readonly string[], args: readonly EvalArg[], span: Span): Map<string, EvalArg> {
  const out = new Map<string, EvalArg>();
  let positional = 0;
  for (const a of args) {
    if (a.name === undefined) {
      if (positional >= names.length) raise(DSL.ArgCount, `${what} takes ${names.length} argument(s), got more`, a.span);
      const name = names[positional++];
      if (out.has(name)) raise(DSL.DuplicateArg, `${what}: argument '${name}' is given twice`, a.span);
      out.set(name, a);
      continue;
    }
    if (!names.includes(a.name)) {
      const near = suggest(a.name, names);
      raise(DSL.UnknownArg, `${what} has no parameter '${a.name}' (parameters: ${names.join(', ') || 'none'})`, a.span, near ? `did you mean '${near}'?` : undefined);
    }
    if (out.has(a.name)) raise(DSL.DuplicateArg, `${what}: argument '${a.name}' is given twice`, a.span);
    out.set(a.name, a);
  }
  return out;
}

export function requireArgs(what: string, names: readonly string[], bound: ReadonlyMap<string, EvalArg>, span: Span): void {
  const missing = names.filter((n) => !bound.has(n));
  if (missing.length) raise(DSL.MissingArg, `${what} is missing argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, span);
}

export type BuiltinFn = (lw: Lowerer, args: readonly EvalArg[], span: Span) => Value;

/** Bound arguments of one builtin call, with typed accessors that report DSL0305 on misuse. */
export class Args {
  constructor(readonly what: string, private readonly map: ReadonlyMap<string, EvalArg>, readonly span: Span) {}

  has(name: string): boolean { return this.map.has(name); }
  value(name: string): Value { return this.map.get(name)!.value; }
  spanOf(name: string): Span { return this.map.get(name)?.span ?? this.span; }

  private label(name: string): string { return `${this.what} argument '${name}'`; }

  int(name: string, dflt?: number): number {
    return this.map.has(name) ? expectInt(this.value(name), this.label(name), this.spanOf(name)) : dflt!;
  }

  num(name: string, dflt?: number): number {
    return this.map.has(name) ? expectNum(this.value(name), this.label(name), this.spanOf(name)) : dflt!;
  }

  bool(name: string, dflt: boolean): boolean {
    return this.map.has(name) ? expectBool(this.value(name), this.label(name), this.spanOf(name)) : dflt;
  }

  str(name: string, dflt: string): string {
    if (!this.map.has(name)) return dflt;
    const v = this.value(name);
    if (v.kind !== 'str') raise(DSL.ArgType, `${this.label(name)} must be a string, got ${describe(v)}`, this.spanOf(name));
    return v.value;
  }

  /** An int or a list of ints. */
  ints(name: string): number[] {
    const v = this.value(name);
    if (v.kind === 'list') return v.items.map((x) => expectInt(x, this.label(name), this.spanOf(name)));
    return [expectInt(v, this.label(name), this.spanOf(name))];
  }

  /** A shape: a list of ints and symbolic dims. */
  dims(name: string): Dim[] {
    const v = this.value(name);
    if (v.kind !== 'list') raise(DSL.ArgType, `${this.label(name)} must be a list of dims, got ${describe(v)}`, this.spanOf(name));
    return v.items.map((d) => {
      if (d.kind === 'sym') return d.name;
      return expectInt(d, `a dim of ${this.label(name)}`, this.spanOf(name));
    });
  }

  tensor(lw: Lowerer, name: string, dtype?: DType): Node {
    const v = this.value(name);
    if (v.kind !== 'tensor' && dtype === undefined) {
      raise(DSL.ArgType, `${this.label(name)} must be a tensor, got ${describe(v)}`, this.spanOf(name));
    }
    return lw.toTensor(v, this.spanOf(name), dtype);
  }
}

/** Declares a builtin: parameter names, how many are required, and its implementation. */
export function builtin(what: string, params: readonly string[], required: number, impl: (a: Args, lw: Lowerer) => Value): BuiltinFn {
  return (lw, args, span) => {
    const bound = bindArgs(what, params, args, span);
    requireArgs(what, params.slice(0, required), bound, span);
    return impl(new Args(what, bound, span), lw);
  };
}
