/**
 * Syntactic queries over the AST used by lowering: the free names of an expression (to decide
 * whether it depends only on compile-time values and the step index), and the names a statement
 * list assigns or reads (to find a sampling loop's carried values and captures).
 */
import type { Expr, Stmt } from './ast.ts';

/** An analysis in a side table: AST nodes are immutable, so a node's free names never change. */
const freeCache = new WeakMap<Expr, readonly string[]>();

/** Names an expression reads, excluding comprehension variables bound inside it. */
export function freeNames(e: Expr): readonly string[] {
  let names = freeCache.get(e);
  if (!names) {
    const out = new Set<string>();
    collect(e, new Set(), out);
    names = [...out];
    freeCache.set(e, names);
  }
  return names;
}

function collect(e: Expr, bound: ReadonlySet<string>, out: Set<string>): void {
  const go = (x: Expr | undefined): void => {
    if (x) collect(x, bound, out);
  };
  switch (e.kind) {
    case 'name':
      if (!bound.has(e.name)) out.add(e.name);
      return;
    case 'binary':
      go(e.left);
      go(e.right);
      return;
    case 'unary':
      go(e.operand);
      return;
    case 'call':
      go(e.callee);
      e.args.forEach((a) => go(a.value));
      return;
    case 'index':
      go(e.target);
      for (const it of e.items) {
        if (it.kind === 'at') go(it.value);
        else if (it.kind === 'slice') {
          go(it.start);
          go(it.stop);
          go(it.step);
        }
      }
      return;
    case 'member':
      go(e.target);
      return;
    case 'list':
      e.elements.forEach(go);
      return;
    case 'comprehension':
      go(e.start);
      go(e.end);
      collect(e.element, new Set([...bound, e.variable.name]), out);
      return;
    case 'ifExpr':
      go(e.cond);
      go(e.then);
      go(e.else);
      return;
    default:
  }
}

/** Names assigned anywhere in the statements (loop variables included), in first-assignment order. */
export function assignedNames(stmts: readonly Stmt[]): string[] {
  const out = new Set<string>();
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.kind === 'assign') s.targets.forEach((t) => out.add(t.name));
      else if (s.kind === 'for') {
        out.add(s.variable.name);
        walk(s.body);
      } else if (s.kind === 'if') {
        walk(s.then);
        if (s.else) walk(s.else);
      }
    }
  };
  walk(stmts);
  return [...out];
}

/** Every name read anywhere in the statements. */
export function readNames(stmts: readonly Stmt[]): Set<string> {
  const out = new Set<string>();
  const add = (e: Expr | undefined): void => {
    if (e) freeNames(e).forEach((n) => out.add(n));
  };
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.kind === 'assign') add(s.value);
      else if (s.kind === 'return') s.values.forEach(add);
      else if (s.kind === 'for') {
        add(s.start);
        add(s.end);
        walk(s.body);
      } else {
        add(s.cond);
        walk(s.then);
        if (s.else) walk(s.else);
      }
    }
  };
  walk(stmts);
  return out;
}
