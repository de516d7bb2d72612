/**
 * Lexes, parses and turns chevrotain's concrete syntax tree into the AST of ast.ts.
 * `parseSource` never throws for bad input: lexer and parser errors become DSL00xx diagnostics
 * (several per run thanks to recovery); the AST is built only when there were none.
 */
import type { CstElement, CstNode, IRecognitionException, IToken } from 'chevrotain';
import type { Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { DSL, dslError, type DslCode } from '../diagnostic-codes.ts';
import type * as A from './ast.ts';
import { LIMITS, limitMessage } from '../../compiler/core/limits.ts';
import { tokenNesting } from './nesting.ts';
import { getParser } from './parser.ts';
import { layoutTokens, lexer, Newline } from './tokens.ts';

export interface ParsedSource {
  readonly ast?: A.SourceFile;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseSource(text: string, file: string): ParsedSource {
  if (text.length > LIMITS.sourceBytes.max) {
    const message = `'${file}' is too large: ${limitMessage('sourceBytes', text.length)}`;
    return { diagnostics: [dslError(DSL.SourceTooLarge, message, { file, line: 1, col: 1 })] };
  }
  const lexed = lexer.tokenize(text);
  const diagnostics: Diagnostic[] = lexed.errors.map((e) =>
    dslError(DSL.UnexpectedChar, `unexpected character '${text.slice(e.offset, e.offset + e.length)}'`, {
      file,
      line: e.line ?? 1,
      col: e.column ?? 1,
      endLine: e.line,
      endCol: (e.column ?? 1) + e.length,
    }),
  );
  const tokens = layoutTokens(lexed.tokens);
  const tooDeep = tokenNesting(tokens, file);
  if (tooDeep) return { diagnostics: [...diagnostics, dslError(DSL.TooDeep, tooDeep.message, tooDeep.span)] };
  const parser = getParser();
  parser.input = tokens;
  const cst = parser.file();
  // Recovery often trips again on the rest of a broken line; the first error there is the useful one.
  const lines = new Set(diagnostics.map((d) => d.span?.line));
  for (const d of parser.errors.map((e) => syntaxDiagnostic(e, file))) {
    if (lines.has(d.span?.line)) continue;
    lines.add(d.span?.line);
    diagnostics.push(d);
  }
  if (diagnostics.length) return { diagnostics };
  try {
    return { ast: new Converter(file).file(cst), diagnostics };
  } catch (e) {
    if (e instanceof LiteralError) return { diagnostics: [dslError(e.code, e.message, e.span)] };
    throw e;
  }
}

function syntaxDiagnostic(e: IRecognitionException, file: string): Diagnostic {
  // A mismatch names the token that should be there; anything else is a token that should not.
  const code = e.name === 'MismatchedTokenException' && e.message.startsWith('expected') ? DSL.MissingToken : DSL.UnexpectedToken;
  const tok = e.token;
  const atEnd = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset) || tok.tokenType === Newline;
  const prev = (e as IRecognitionException & { previousToken?: IToken }).previousToken;
  const span: Span =
    atEnd && prev && !Number.isNaN(prev.startOffset) ? { file, line: prev.endLine ?? 1, col: (prev.endColumn ?? 0) + 1 } : tokenSpan(tok, file);
  return dslError(code, e.message, span);
}

function tokenSpan(tok: IToken, file: string): Span {
  return { file, line: tok.startLine ?? 1, col: tok.startColumn ?? 1, endLine: tok.endLine, endCol: (tok.endColumn ?? 0) + 1 };
}

/** Errors the grammar cannot express (bad escapes, empty index items); the first one stops conversion. */
class LiteralError extends Error {
  constructor(
    readonly code: DslCode,
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

type Kids = Record<string, CstElement[] | undefined>;

/** A recursive walk over the CST; each method mirrors one grammar rule of parser.ts. */
class Converter {
  constructor(private readonly fileName: string) {}

  private span(node: CstNode): Span {
    const l = node.location;
    return { file: this.fileName, line: l?.startLine ?? 1, col: l?.startColumn ?? 1, endLine: l?.endLine, endCol: (l?.endColumn ?? 0) + 1 };
  }

  private join(a: Span, b: Span): Span {
    return { file: a.file, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
  }

  private tok(k: Kids, key: string, i = 0): IToken {
    return k[key]![i] as IToken;
  }

  private nodes(k: Kids, key: string): CstNode[] {
    return (k[key] ?? []) as CstNode[];
  }

  private node(k: Kids, key: string): CstNode {
    return k[key]![0] as CstNode;
  }

  file(cst: CstNode): A.SourceFile {
    const k = cst.children;
    return {
      file: this.fileName,
      imports: this.nodes(k, 'importDecl').map((n) => {
        const path = this.tok(n.children, 'path');
        return { kind: 'import', path: this.stringValue(path), span: this.span(n) };
      }),
      decls: [
        ...this.nodes(k, 'blockDecl').map((n) => this.blockDecl(n)),
        ...this.nodes(k, 'samplerDecl')
          .filter((n) => !n.children.Equals)
          .map((n) => this.samplerDecl(n)),
      ].sort((a, b) => a.span.line - b.span.line || a.span.col - b.span.col),
      instances: this.nodes(k, 'samplerDecl')
        .filter((n) => n.children.Equals)
        .map((n) => {
          const name = this.tok(n.children, 'name');
          return {
            kind: 'samplerInstance',
            name: name.image,
            nameSpan: tokenSpan(name, this.fileName),
            call: this.expression(this.node(n.children, 'call')),
            span: this.span(n),
          };
        }),
    };
  }

  private blockDecl(n: CstNode): A.BlockDecl {
    const k = n.children;
    const name = this.tok(k, 'name');
    return {
      kind: 'block',
      isModel: this.tok(k, 'keyword').image === 'model',
      name: name.image,
      nameSpan: tokenSpan(name, this.fileName),
      params: k.paramList ? this.paramList(this.node(k, 'paramList')) : [],
      members: this.nodes(k, 'member').map((m) => ({
        name: this.tok(m.children, 'name').image,
        value: this.expression(this.node(m.children, 'value')),
        span: this.span(m),
      })),
      fns: this.nodes(k, 'fnDecl').map((f) => ({
        params: this.paramList(this.node(f.children, 'paramList')),
        result: f.children.result ? this.typeExpr(this.node(f.children, 'result')) : undefined,
        body: this.stmtBlock(this.node(f.children, 'body')),
        span: this.span(f),
      })),
      span: this.span(n),
    };
  }

  private samplerDecl(n: CstNode): A.SamplerDecl {
    const k = n.children;
    const name = this.tok(k, 'name');
    return {
      kind: 'sampler',
      name: name.image,
      nameSpan: tokenSpan(name, this.fileName),
      params: this.paramList(this.node(k, 'paramList')),
      body: this.stmtBlock(this.node(k, 'body')),
      span: this.span(n),
    };
  }

  private paramList(n: CstNode): A.ParamDecl[] {
    return this.nodes(n.children, 'param').map((p) => {
      const k = p.children;
      return {
        name: this.tok(k, 'name').image,
        type: this.typeExpr(this.node(k, 'type')),
        default: k.default ? this.expression(this.node(k, 'default')) : undefined,
        span: this.span(p),
      };
    });
  }

  private typeExpr(n: CstNode): A.TypeExpr {
    const k = n.children;
    const span = this.span(n);
    if (k.tuple) return { kind: 'tupleType', elements: this.nodes(k, 'elements').map((e) => this.typeExpr(e)), span };
    const name = this.tok(k, 'name').image;
    if (!k.shape) return { kind: 'scalarType', name, span };
    const dims = this.nodes(k, 'dim').map(
      (d): A.DimExpr => (d.children.Ellipsis ? { kind: 'ellipsis', span: this.span(d) } : this.expression(this.node(d.children, 'expression'))),
    );
    return { kind: 'tensorType', dtype: name, dims, span };
  }

  private stmtBlock(n: CstNode): A.Stmt[] {
    return this.nodes(n.children, 'statement').map((s) => this.statement(s));
  }

  private statement(n: CstNode): A.Stmt {
    const k = n.children;
    if (k.returnStmt) {
      const r = this.node(k, 'returnStmt');
      return { kind: 'return', values: this.nodes(r.children, 'values').map((v) => this.expression(v)), span: this.span(r) };
    }
    if (k.forStmt) {
      const f = this.node(k, 'forStmt');
      const fk = f.children;
      return {
        kind: 'for',
        variable: this.target(this.tok(fk, 'variable')),
        start: this.expression(this.node(fk, 'start')),
        end: fk.end ? this.expression(this.node(fk, 'end')) : undefined,
        body: this.stmtBlock(this.node(fk, 'body')),
        span: this.span(f),
      };
    }
    if (k.ifStmt) return this.ifStmt(this.node(k, 'ifStmt'));
    const a = this.node(k, 'assignStmt');
    return {
      kind: 'assign',
      targets: (a.children.targets as IToken[]).map((t) => this.target(t)),
      value: this.expression(this.node(a.children, 'value')),
      span: this.span(a),
    };
  }

  private ifStmt(n: CstNode): A.IfStmt {
    const k = n.children;
    const elseBranch = k.elseIf ? [this.ifStmt(this.node(k, 'elseIf'))] : k.else ? this.stmtBlock(this.node(k, 'else')) : undefined;
    return {
      kind: 'if',
      cond: this.expression(this.node(k, 'cond')),
      then: this.stmtBlock(this.node(k, 'then')),
      else: elseBranch,
      span: this.span(n),
    };
  }

  private target(t: IToken): A.Target {
    return { name: t.image, span: tokenSpan(t, this.fileName) };
  }

  expression(n: CstNode): A.Expr {
    const k = n.children;
    if (k.ifExpr) {
      const f = this.node(k, 'ifExpr');
      const fk = f.children;
      return {
        kind: 'ifExpr',
        cond: this.expression(this.node(fk, 'cond')),
        then: this.expression(this.node(fk, 'then')),
        else: this.expression(this.node(fk, 'else')),
        span: this.span(f),
      };
    }
    return this.chain(this.node(k, 'orExpr'));
  }

  /** orExpr, andExpr, comparison, additive, multiplicative: operands joined left to right by ops. */
  private chain(n: CstNode): A.Expr {
    const operands = this.nodes(n.children, 'operands').map((o) => this.operand(o));
    const ops = (n.children.ops ?? []) as IToken[];
    return operands.slice(1).reduce<A.Expr>(
      (left, right, i) => ({
        kind: 'binary',
        op: ops[i].image as A.BinaryOp,
        left,
        right,
        span: this.join(left.span, right.span),
      }),
      operands[0],
    );
  }

  private operand(n: CstNode): A.Expr {
    switch (n.name) {
      case 'andExpr':
      case 'comparison':
      case 'additive':
      case 'multiplicative':
        return this.chain(n);
      case 'notExpr':
        return n.children.op
          ? { kind: 'unary', op: 'not', operand: this.operand(this.node(n.children, 'operand')), span: this.span(n) }
          : this.chain(this.node(n.children, 'comparison'));
      case 'unary':
        return this.unary(n);
      default:
        throw new Error(`unexpected CST node '${n.name}'`);
    }
  }

  private unary(n: CstNode): A.Expr {
    const k = n.children;
    if (k.op) return { kind: 'unary', op: this.tok(k, 'op').image as '-' | '+', operand: this.unary(this.node(k, 'operand')), span: this.span(n) };
    const p = this.node(k, 'power');
    const base = this.postfix(this.node(p.children, 'base'));
    if (!p.children.exponent) return base;
    const exponent = this.unary(this.node(p.children, 'exponent'));
    return { kind: 'binary', op: '**', left: base, right: exponent, span: this.span(p) };
  }

  private postfix(n: CstNode): A.Expr {
    let expr = this.primary(this.node(n.children, 'primary'));
    for (const s of this.nodes(n.children, 'suffixes')) {
      const span = this.join(expr.span, this.span(s));
      if (s.name === 'callSuffix') {
        const args = this.nodes(s.children, 'arg').map(
          (a): A.Arg => ({
            name: a.children.name ? this.tok(a.children, 'name').image : undefined,
            value: this.expression(this.node(a.children, 'value')),
            span: this.span(a),
          }),
        );
        expr = { kind: 'call', callee: expr, args, span };
      } else if (s.name === 'indexSuffix') {
        const after = [...((s.children.Comma ?? []) as IToken[]), this.tok(s.children, 'RBracket')];
        const items = this.nodes(s.children, 'indexItem').map((item, i) => this.indexItem(item, tokenSpan(after[i], this.fileName)));
        expr = { kind: 'index', target: expr, items, span };
      } else {
        expr = { kind: 'member', target: expr, name: this.tok(s.children, 'name').image, span };
      }
    }
    return expr;
  }

  /** `next` is the token after the item (for the position of an empty item, which has none). */
  private indexItem(n: CstNode, next: Span): A.IndexItem {
    const k = n.children;
    const span = Number.isNaN(n.location?.startOffset) ? next : this.span(n);
    if (k.Ellipsis) return { kind: 'ellipsis', span };
    const opt = (key: string): A.Expr | undefined => (k[key] ? this.expression(this.node(k, key)) : undefined);
    if (!k.colon) {
      if (!k.start) throw new LiteralError(DSL.EmptyIndex, 'empty index item', span);
      return { kind: 'at', value: opt('start')!, span };
    }
    return { kind: 'slice', start: opt('start'), stop: opt('stop'), step: opt('step'), span };
  }

  private primary(n: CstNode): A.Expr {
    const k = n.children;
    const span = this.span(n);
    if (k.name) return { kind: 'name', name: this.tok(k, 'name').image, span };
    if (k.paren) return this.expression(this.node(k, 'paren'));
    if (k.list) return this.list(this.node(k, 'list'));
    const lit = this.tok(k, 'literal');
    switch (lit.tokenType.name) {
      case 'Integer':
        return { kind: 'num', value: Number(lit.image), isInt: true, span };
      case 'Float':
        return { kind: 'num', value: Number(lit.image), isInt: false, span };
      case 'StringLit':
        return { kind: 'str', value: this.stringValue(lit), span };
      case 'True':
        return { kind: 'bool', value: true, span };
      case 'False':
        return { kind: 'bool', value: false, span };
      default:
        return { kind: 'none', span };
    }
  }

  private list(n: CstNode): A.Expr {
    const k = n.children;
    const span = this.span(n);
    const elements = this.nodes(k, 'elements').map((e) => this.expression(e));
    if (!k.For) return { kind: 'list', elements, span };
    return {
      kind: 'comprehension',
      element: elements[0],
      variable: this.target(this.tok(k, 'variable')),
      start: this.expression(this.node(k, 'start')),
      end: k.end ? this.expression(this.node(k, 'end')) : undefined,
      span,
    };
  }

  private stringValue(tok: IToken): string {
    try {
      return JSON.parse(tok.image) as string;
    } catch {
      throw new LiteralError(DSL.BadLiteral, `malformed string literal ${tok.image}`, tokenSpan(tok, this.fileName));
    }
  }
}
