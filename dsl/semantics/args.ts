/**
 * Argument binding shared by every callee (blocks, primitives, builtins, samplers): positional
 * then named arguments, "did you mean" for unknown names. Builtins declare theirs with
 * `builtin(...)` of dsl/builtins/define.ts.
 */
import type { Span } from '../../compiler/core/ir/span.ts';
import { suggest } from '../../compiler/core/diagnostics.ts';
import { DSL } from '../diagnostic-codes.ts';
import { raise, type Value } from './values.ts';

export interface EvalArg {
  readonly name?: string;
  readonly value: Value;
  readonly span: Span;
}

/** Matches positional then named arguments to parameter names; missing ones are left out. */
export function bindArgs(what: string, names: readonly string[], args: readonly EvalArg[]): Map<string, EvalArg> {
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
      raise(
        DSL.UnknownArg,
        `${what} has no parameter '${a.name}' (parameters: ${names.join(', ') || 'none'})`,
        a.span,
        near ? `did you mean '${near}'?` : undefined,
      );
    }
    if (out.has(a.name)) raise(DSL.DuplicateArg, `${what}: argument '${a.name}' is given twice`, a.span);
    out.set(a.name, a);
  }
  return out;
}

export function requireArgs(what: string, names: readonly string[], bound: ReadonlyMap<string, EvalArg>, span: Span): void {
  const missing = names.filter((n) => !bound.has(n));
  if (missing.length)
    raise(DSL.MissingArg, `${what} is missing argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`, span);
}
