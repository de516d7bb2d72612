/**
 * How a builtin is declared: `builtin(name, params, required, impl)` binds the call's arguments to
 * parameter names (the same checks and "did you mean" hints as blocks) and hands `impl` an `Args`,
 * which gives typed access to them (DSL0305 on misuse), and the lowering's BuiltinContext.
 */
import type { Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { DType, Dim } from '../../compiler/core/ir/types.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { BuiltinContext, BuiltinFn } from '../lower/context.ts';
import { bindArgs, requireArgs, type EvalArg } from '../semantics/args.ts';
import { describe, expectBool, expectInt, expectNum, raise, type Value } from '../semantics/values.ts';

/** Bound arguments of one builtin call, with typed accessors that report DSL0305 on misuse. */
export class Args {
  constructor(
    readonly what: string,
    private readonly map: ReadonlyMap<string, EvalArg>,
    readonly span: Span,
  ) {}

  has(name: string): boolean {
    return this.map.has(name);
  }
  value(name: string): Value {
    return this.map.get(name)!.value;
  }
  spanOf(name: string): Span {
    return this.map.get(name)?.span ?? this.span;
  }

  private label(name: string): string {
    return `${this.what} argument '${name}'`;
  }

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

  tensor(ctx: BuiltinContext, name: string, dtype?: DType): Node {
    const v = this.value(name);
    if (v.kind !== 'tensor' && dtype === undefined) {
      raise(DSL.ArgType, `${this.label(name)} must be a tensor, got ${describe(v)}`, this.spanOf(name));
    }
    return ctx.toTensor(v, this.spanOf(name), dtype);
  }
}

/** Declares a builtin: parameter names, how many are required, and its implementation. */
export function builtin(what: string, params: readonly string[], required: number, impl: (a: Args, ctx: BuiltinContext) => Value): BuiltinFn {
  return (ctx, args, span) => {
    const bound = bindArgs(what, params, args);
    requireArgs(what, params.slice(0, required), bound, span);
    return impl(new Args(what, bound, span), ctx);
  };
}
