/**
 * Statements. In a fn body everything runs at compile time except tensor ops: `for` loops are
 * unrolled and `if` needs a compile-time condition. In a sampler, a `for` at the top level is the
 * sampling loop (loop.ts). Each statement catches its own errors, records them and binds its
 * targets to poison, so one run reports every independent mistake once.
 */
import { DSL } from '../diagnostic-codes.ts';
import { describe, POISON, raise, type Scope, type Value } from '../semantics/values.ts';
import type { Expr, ForStmt, IfStmt, Stmt } from '../syntax/ast.ts';
import type { BodyResult, Lowerer } from './context.ts';
import { lowerLoop } from './loop.ts';

export function runStmts(lw: Lowerer, stmts: readonly Stmt[], scope: Scope): BodyResult | undefined {
  for (const s of stmts) {
    if (s.kind === 'return') return { value: guard(lw, () => returnValue(lw, s.values, scope)), span: s.span };
    try {
      if (s.kind === 'assign') assign(lw, s, scope);
      else if (s.kind === 'for') forStmt(lw, s, scope);
      else ifStmt(lw, s, scope);
    } catch (e) {
      lw.record(e);
      if (s.kind === 'assign') s.targets.forEach((t) => scope.define(t.name, POISON));
    }
  }
  return undefined;
}

function guard(lw: Lowerer, f: () => Value): Value {
  try {
    return f();
  } catch (e) {
    lw.record(e);
    return POISON;
  }
}

function returnValue(lw: Lowerer, values: readonly Expr[], scope: Scope): Value {
  const vs = values.map((v) => lw.expr(v, scope));
  return vs.length === 1 ? vs[0] : { kind: 'tuple', items: vs };
}

function assign(lw: Lowerer, s: Extract<Stmt, { kind: 'assign' }>, scope: Scope): void {
  const v = lw.expr(s.value, scope);
  if (s.targets.length === 1) {
    scope.define(s.targets[0].name, v);
    return;
  }
  if (v.kind === 'poison') {
    s.targets.forEach((t) => scope.define(t.name, POISON));
    return;
  }
  const items = v.kind === 'tuple' || v.kind === 'list' ? v.items : undefined;
  if (!items || items.length !== s.targets.length) {
    raise(DSL.ResultCount, `cannot unpack ${describe(v)} into ${s.targets.length} names`, s.span);
  }
  s.targets.forEach((t, i) => scope.define(t.name, items[i]));
}

function forStmt(lw: Lowerer, s: ForStmt, scope: Scope): void {
  if (lw.sampler && !lw.loop) {
    lowerLoop(lw, s, scope);
    return;
  }
  for (const item of lw.iterate(s.start, s.end, scope)) {
    scope.define(s.variable.name, item);
    runStmts(lw, s.body, scope);
  }
}

function ifStmt(lw: Lowerer, s: IfStmt, scope: Scope): void {
  const cond = lw.expr(s.cond, scope);
  if (cond.kind === 'poison') return;
  if (cond.kind === 'stepwise') {
    raise(
      DSL.StepCondition,
      'this condition depends on the step index, so it cannot choose statements at compile time',
      s.cond.span,
      'use an if-expression (x = if c then a else b) to select values per step',
    );
  }
  if (cond.kind !== 'bool') raise(DSL.BadCondition, `an if statement needs a compile-time bool, got ${describe(cond)}`, s.cond.span);
  const branch = cond.value ? s.then : s.else;
  if (branch) runStmts(lw, branch, scope);
}
