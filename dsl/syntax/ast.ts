/**
 * The abstract syntax tree of a .dn file. Every node keeps the span of the source it came from,
 * so each later diagnostic (resolution, shape checks, IR type rules) points at the user's text.
 */
import type { Span } from '../../compiler/core/ir/span.ts';

export interface SourceFile {
  readonly file: string;
  readonly imports: readonly ImportDecl[];
  readonly decls: readonly Decl[];
  readonly instances: readonly SamplerInstance[];
}

export interface ImportDecl {
  readonly kind: 'import';
  readonly path: string;
  readonly span: Span;
}

export type Decl = BlockDecl | SamplerDecl;

/** `block Name(...) { ... }` or `model Name(...) { ... }`: members and one forward function. */
export interface BlockDecl {
  readonly kind: 'block';
  readonly isModel: boolean;
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly ParamDecl[];
  readonly members: readonly MemberDecl[];
  readonly fns: readonly FnDecl[];
  readonly span: Span;
}

/** `sampler name(model: Model, steps: int = 50) { statements }`: a generic sampler. */
export interface SamplerDecl {
  readonly kind: 'sampler';
  readonly name: string;
  readonly nameSpan: Span;
  readonly params: readonly ParamDecl[];
  readonly body: readonly Stmt[];
  readonly span: Span;
}

/** `sampler fast = ddim(UNetSmall, steps: 10)`: a sampler bound to a model. */
export interface SamplerInstance {
  readonly kind: 'samplerInstance';
  readonly name: string;
  readonly nameSpan: Span;
  readonly call: Expr;
  readonly span: Span;
}

export interface ParamDecl {
  readonly name: string;
  readonly type: TypeExpr;
  readonly default?: Expr;
  readonly span: Span;
}

export interface MemberDecl {
  readonly name: string;
  readonly value: Expr;
  readonly span: Span;
}

export interface FnDecl {
  readonly params: readonly ParamDecl[];
  readonly result?: TypeExpr;
  readonly body: readonly Stmt[];
  readonly span: Span;
}

export type TypeExpr =
  | { readonly kind: 'scalarType'; readonly name: string; readonly span: Span }
  | { readonly kind: 'tensorType'; readonly dtype: string; readonly dims: readonly DimExpr[]; readonly span: Span }
  | { readonly kind: 'tupleType'; readonly elements: readonly TypeExpr[]; readonly span: Span };

export type DimExpr = Expr | { readonly kind: 'ellipsis'; readonly span: Span };

export type Stmt = AssignStmt | ReturnStmt | ForStmt | IfStmt;

export interface Target {
  readonly name: string;
  readonly span: Span;
}

export interface AssignStmt {
  readonly kind: 'assign';
  readonly targets: readonly Target[];
  readonly value: Expr;
  readonly span: Span;
}
export interface ReturnStmt {
  readonly kind: 'return';
  readonly values: readonly Expr[];
  readonly span: Span;
}

/** `for i in a .. b { }` (a range) or `for b in list { }`. */
export interface ForStmt {
  readonly kind: 'for';
  readonly variable: Target;
  readonly start: Expr;
  readonly end?: Expr;
  readonly body: readonly Stmt[];
  readonly span: Span;
}

export interface IfStmt {
  readonly kind: 'if';
  readonly cond: Expr;
  readonly then: readonly Stmt[];
  readonly else?: readonly Stmt[];
  readonly span: Span;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '@' | '**' | '==' | '!=' | '<' | '>' | '<=' | '>=' | 'and' | 'or';

export type Expr =
  | { readonly kind: 'num'; readonly value: number; readonly isInt: boolean; readonly span: Span }
  | { readonly kind: 'str'; readonly value: string; readonly span: Span }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: Span }
  | { readonly kind: 'none'; readonly span: Span }
  | NameExpr
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | 'not'; readonly operand: Expr; readonly span: Span }
  | CallExpr
  | { readonly kind: 'index'; readonly target: Expr; readonly items: readonly IndexItem[]; readonly span: Span }
  | { readonly kind: 'member'; readonly target: Expr; readonly name: string; readonly span: Span }
  | { readonly kind: 'list'; readonly elements: readonly Expr[]; readonly span: Span }
  | ComprehensionExpr
  | { readonly kind: 'ifExpr'; readonly cond: Expr; readonly then: Expr; readonly else: Expr; readonly span: Span };

export interface NameExpr {
  readonly kind: 'name';
  readonly name: string;
  readonly span: Span;
}

export interface CallExpr {
  readonly kind: 'call';
  readonly callee: Expr;
  readonly args: readonly Arg[];
  readonly span: Span;
}

/** `[element for variable in start .. end]` or `[element for variable in list]`. */
export interface ComprehensionExpr {
  readonly kind: 'comprehension';
  readonly element: Expr;
  readonly variable: Target;
  readonly start: Expr;
  readonly end?: Expr;
  readonly span: Span;
}

export interface Arg {
  readonly name?: string;
  readonly value: Expr;
  readonly span: Span;
}

export type IndexItem =
  | { readonly kind: 'at'; readonly value: Expr; readonly span: Span }
  | { readonly kind: 'slice'; readonly start?: Expr; readonly stop?: Expr; readonly step?: Expr; readonly span: Span }
  | { readonly kind: 'ellipsis'; readonly span: Span };
