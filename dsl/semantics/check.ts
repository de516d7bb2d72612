/**
 * Semantic checks on declarations that need no evaluation: one forward fn per block, parameter and
 * member names unique, type names valid, `...` only leading a shape, `return` last, model
 * parameters with defaults, samplers taking a Model first, sampler instances that call a sampler.
 * Checks that need values (shapes, argument kinds) happen while lowering.
 */
import { suggest, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { DTYPES } from '../../compiler/core/ir/types.ts';
import { DSL, dslError, type DslCode } from '../diagnostic-codes.ts';
import type { BlockDecl, FnDecl, ParamDecl, SamplerDecl, SourceFile, Stmt, TypeExpr } from '../syntax/ast.ts';

/** Types of compile-time parameters (`list` takes any compile-time list). */
export const SCALAR_TYPES = ['int', 'float', 'bool', 'str', 'list'] as const;

class DeclChecker {
  readonly diagnostics: Diagnostic[] = [];

  private error(code: DslCode, message: string, span: Span | undefined, hint?: string): void {
    this.diagnostics.push(dslError(code, message, span, hint));
  }

  file(ast: SourceFile): void {
    for (const d of ast.decls) {
      if (d.kind === 'block') this.block(d);
      else this.sampler(d);
    }
    const seen = new Set<string>();
    for (const inst of ast.instances) {
      if (seen.has(inst.name)) this.error(DSL.Duplicate, `sampler '${inst.name}' is instantiated twice`, inst.nameSpan);
      seen.add(inst.name);
      if (inst.call.kind !== 'call' || inst.call.callee.kind !== 'name') {
        this.error(DSL.BadSampler, `a sampler instance must call a sampler, as in 'sampler ${inst.name} = ddim(MyModel, steps: 10)'`, inst.call.span);
      }
    }
  }

  private block(d: BlockDecl): void {
    const what = d.isModel ? 'model' : 'block';
    this.params(d.params, false);
    if (d.isModel) {
      for (const p of d.params.filter((q) => !q.default)) {
        this.error(
          DSL.ModelParamDefault,
          `model parameter '${p.name}' needs a default value`,
          p.span,
          'a model is compiled on its own, so every parameter needs a value',
        );
      }
    }
    const taken = new Set(d.params.map((p) => p.name));
    for (const m of d.members) {
      if (taken.has(m.name)) this.error(DSL.Duplicate, `'${m.name}' is declared twice in ${what} ${d.name}`, m.span);
      taken.add(m.name);
    }
    if (d.fns.length !== 1) {
      const span = d.fns.length ? d.fns[1].span : d.nameSpan;
      this.error(DSL.NoForward, `${what} ${d.name} must declare exactly one forward fn, found ${d.fns.length}`, span);
    }
    d.fns.forEach((fn) => this.fn(fn));
  }

  private fn(fn: FnDecl): void {
    const seen = new Set<string>();
    for (const p of fn.params) {
      if (seen.has(p.name)) this.error(DSL.Duplicate, `parameter '${p.name}' is declared twice`, p.span);
      seen.add(p.name);
      if (p.type.kind !== 'tensorType') {
        this.error(DSL.BadSignature, `fn parameter '${p.name}' must have a tensor type such as f32[B, 4]`, p.type.span);
      } else this.type(p.type);
      if (p.default) this.error(DSL.BadSignature, `fn parameter '${p.name}' cannot have a default`, p.default.span);
    }
    if (fn.result) this.resultType(fn.result);
    this.body(fn.body, 'fn', fn.span);
  }

  private resultType(t: TypeExpr): void {
    if (t.kind === 'tupleType') t.elements.forEach((e) => this.resultType(e));
    else if (t.kind === 'scalarType') this.error(DSL.BadSignature, `a fn returns tensors; '${t.name}' is not a tensor type`, t.span);
    else this.type(t);
  }

  private sampler(d: SamplerDecl): void {
    this.params(d.params, true);
    const first = d.params[0];
    if (first?.type.kind !== 'scalarType' || first.type.name !== 'Model') {
      this.error(
        DSL.BadSampler,
        `sampler ${d.name} must take a Model as its first parameter, as in 'sampler ${d.name}(model: Model, steps: int = 50)'`,
        first?.span ?? d.nameSpan,
      );
    }
    this.body(d.body, 'sampler', d.span);
  }

  private params(params: readonly ParamDecl[], sampler: boolean): void {
    const seen = new Set<string>();
    for (const p of params) {
      if (seen.has(p.name)) this.error(DSL.Duplicate, `parameter '${p.name}' is declared twice`, p.span);
      seen.add(p.name);
      if (p.type.kind !== 'scalarType') {
        this.error(
          DSL.BadSignature,
          `parameter '${p.name}' is a compile-time value; its type must be one of ${SCALAR_TYPES.join(', ')}`,
          p.type.span,
        );
        continue;
      }
      const allowed: string[] = [...SCALAR_TYPES, ...(sampler ? ['Model'] : [])];
      if (!allowed.includes(p.type.name)) {
        const near = suggest(p.type.name, allowed);
        this.error(
          DSL.UnknownType,
          `unknown type '${p.type.name}' (expected ${allowed.join(', ')})`,
          p.type.span,
          near ? `did you mean '${near}'?` : undefined,
        );
      }
    }
  }

  private type(t: Extract<TypeExpr, { kind: 'tensorType' }>): void {
    if (!(DTYPES as readonly string[]).includes(t.dtype)) {
      const near = suggest(t.dtype, DTYPES);
      this.error(DSL.UnknownType, `unknown dtype '${t.dtype}' (expected ${DTYPES.join(', ')})`, t.span, near ? `did you mean '${near}'?` : undefined);
    }
    t.dims.forEach((d, i) => {
      if (d.kind === 'ellipsis' && i !== 0) this.error(DSL.BadSignature, `'...' may only stand first in a shape`, d.span);
    });
  }

  /** The body must end with `return`, and `return` may appear nowhere else. */
  private body(stmts: readonly Stmt[], what: string, span: Span): void {
    const last = stmts[stmts.length - 1];
    if (last?.kind !== 'return') this.error(DSL.MissingReturn, `${what} must end with a return statement`, last?.span ?? span);
    stmts.forEach((s, i) => this.noNestedReturn(s, i === stmts.length - 1));
  }

  private noNestedReturn(s: Stmt, isLast: boolean): void {
    if (s.kind === 'return' && !isLast) this.error(DSL.UnreachableCode, 'return must be the last statement', s.span);
    if (s.kind === 'for') s.body.forEach((x) => this.noNestedReturn(x, false));
    if (s.kind === 'if') [...s.then, ...(s.else ?? [])].forEach((x) => this.noNestedReturn(x, false));
  }
}

export function checkDeclarations(ast: SourceFile): Diagnostic[] {
  const c = new DeclChecker();
  c.file(ast);
  return c.diagnostics;
}
