/**
 * Static name resolution for one file: every name read in a block, model, sampler or sampler
 * instance must be declared before its use (file declarations, imports, builtins, parameters,
 * earlier members, earlier assignments, loop variables, signature dimension variables).
 * Unknown names get a "did you mean" hint; members used before they are declared get DSL0107.
 *
 * Dimension variables: in a fn signature an unbound name that starts with an upper-case letter
 * (B, H, W) is a pattern variable matched against the argument shapes; an unbound lower-case name
 * is an error, so that a misspelled compile-time parameter (`cni` for `cin`) does not silently
 * become a pattern.
 */
import { suggest, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { DSL, dslError } from '../diagnostic-codes.ts';
import type { BlockDecl, DimExpr, Expr, FnDecl, ParamDecl, SamplerDecl, SourceFile, Stmt, TypeExpr } from '../syntax/ast.ts';

/** A loaded file as name checking sees it (resolve.ts's LoadedModule is one). */
export interface ScopedFile {
  readonly ast: SourceFile;
  /** Every name in scope at the file's top level, own declarations first. */
  readonly scope: { allNames(): string[] };
  /** Names that two imports both export, with the files that export them. */
  readonly ambiguous: ReadonlyMap<string, readonly string[]>;
}

/** Names visible at one point; `later` holds members declared further down (for DSL0107). */
class Names {
  private readonly own = new Set<string>();
  constructor(
    private readonly parent?: Names,
    private readonly later: ReadonlySet<string> = new Set(),
  ) {}

  add(name: string): void {
    this.own.add(name);
  }
  has(name: string): boolean {
    return this.own.has(name) || (this.parent?.has(name) ?? false);
  }
  isLater(name: string): boolean {
    return this.later.has(name) || (this.parent?.isLater(name) ?? false);
  }
  all(): string[] {
    return [...this.own, ...(this.parent?.all() ?? [])];
  }
}

export const isDimVariable = (name: string): boolean => /^[A-Z]/.test(name);

class NameChecker {
  readonly diagnostics: Diagnostic[] = [];
  constructor(private readonly mod: ScopedFile) {}

  private fileNames(): Names {
    const names = new Names();
    for (const n of this.mod.scope.allNames()) names.add(n);
    return names;
  }

  run(): void {
    const top = this.fileNames();
    for (const decl of this.mod.ast.decls) {
      if (decl.kind === 'block') this.block(decl, top);
      else this.sampler(decl, top);
    }
    for (const inst of this.mod.ast.instances) this.expr(inst.call, top);
  }

  private params(params: readonly ParamDecl[], names: Names): void {
    for (const p of params) {
      if (p.default) this.expr(p.default, names);
      names.add(p.name);
    }
  }

  private block(decl: BlockDecl, top: Names): void {
    const names = new Names(top, new Set(decl.members.map((m) => m.name)));
    this.params(decl.params, names);
    for (const m of decl.members) {
      this.expr(m.value, names);
      names.add(m.name);
    }
    const members = new Names(names);
    for (const fn of decl.fns) this.fn(fn, members);
  }

  private fn(fn: FnDecl, blockNames: Names): void {
    const names = new Names(blockNames);
    const types = [...fn.params.map((p) => p.type), ...(fn.result ? [fn.result] : [])];
    for (const t of types) this.typeDims(t, names);
    for (const p of fn.params) names.add(p.name);
    this.stmts(fn.body, names);
  }

  /**
   * Dims that are bare unbound upper-case names become dimension variables of the fn; dim
   * expressions may use the variables of earlier parameters (f32[B, C, H // 2, W // 2]).
   */
  private typeDims(t: TypeExpr, names: Names): void {
    if (t.kind === 'tupleType') {
      t.elements.forEach((e) => this.typeDims(e, names));
      return;
    }
    if (t.kind !== 'tensorType') return;
    for (const d of t.dims) {
      if (isDimName(d) && !names.has(d.name) && isDimVariable(d.name)) names.add(d.name);
      else if (d.kind !== 'ellipsis') this.expr(d, names);
    }
  }

  private sampler(decl: SamplerDecl, top: Names): void {
    const names = new Names(top);
    this.params(decl.params, names);
    this.stmts(decl.body, names);
  }

  private stmts(stmts: readonly Stmt[], names: Names): void {
    for (const s of stmts) this.stmt(s, names);
  }

  private stmt(s: Stmt, names: Names): void {
    switch (s.kind) {
      case 'assign':
        this.expr(s.value, names);
        s.targets.forEach((t) => names.add(t.name));
        return;
      case 'return':
        s.values.forEach((v) => this.expr(v, names));
        return;
      case 'for':
        this.expr(s.start, names);
        if (s.end) this.expr(s.end, names);
        names.add(s.variable.name);
        this.stmts(s.body, names);
        return;
      case 'if':
        this.expr(s.cond, names);
        this.stmts(s.then, names);
        if (s.else) this.stmts(s.else, names);
    }
  }

  private expr(e: Expr, names: Names): void {
    switch (e.kind) {
      case 'name':
        this.name(e.name, e.span, names);
        return;
      case 'binary':
        this.expr(e.left, names);
        this.expr(e.right, names);
        return;
      case 'unary':
        this.expr(e.operand, names);
        return;
      case 'call':
        this.expr(e.callee, names);
        e.args.forEach((a) => this.expr(a.value, names));
        return;
      case 'index':
        this.expr(e.target, names);
        for (const it of e.items) {
          if (it.kind === 'at') this.expr(it.value, names);
          else if (it.kind === 'slice') [it.start, it.stop, it.step].forEach((x) => x && this.expr(x, names));
        }
        return;
      case 'member':
        this.expr(e.target, names);
        return;
      case 'list':
        e.elements.forEach((x) => this.expr(x, names));
        return;
      case 'comprehension': {
        this.expr(e.start, names);
        if (e.end) this.expr(e.end, names);
        const inner = new Names(names);
        inner.add(e.variable.name);
        this.expr(e.element, inner);
        return;
      }
      case 'ifExpr':
        this.expr(e.cond, names);
        this.expr(e.then, names);
        this.expr(e.else, names);
        return;
      default:
    }
  }

  private name(name: string, span: Expr['span'], names: Names): void {
    const ambiguous = this.mod.ambiguous.get(name);
    if (ambiguous && names.has(name)) {
      this.diagnostics.push(dslError(DSL.Ambiguous, `'${name}' is exported by more than one import (${ambiguous.join(', ')})`, span));
      return;
    }
    if (names.has(name)) return;
    if (names.isLater(name)) {
      this.diagnostics.push(
        dslError(
          DSL.UseBeforeAssign,
          `member '${name}' is used before it is declared`,
          span,
          'members are evaluated in order; move its declaration up',
        ),
      );
      return;
    }
    const near = suggest(name, names.all());
    this.diagnostics.push(dslError(DSL.UnknownName, `unknown name '${name}'`, span, near ? `did you mean '${near}'?` : undefined));
  }
}

function isDimName(d: DimExpr): d is Extract<Expr, { kind: 'name' }> {
  return d.kind === 'name';
}

export function checkNamesInFile(mod: ScopedFile): Diagnostic[] {
  const c = new NameChecker(mod);
  c.run();
  return c.diagnostics;
}
