/**
 * Reads the textual IR that `printGraph` writes back into a Graph, building every node through
 * GraphBuilder (so types are re-inferred and equal nodes interned). Golden pass tests are written in
 * this text. Besides the printer's output it accepts `//` line comments. Errors are DenocErrors
 * IR02xx whose span is the line:col of the offending token in the text:
 *
 *   IR0201 syntax error          IR0204 unknown op
 *   IR0202 undefined value       IR0205 printed type differs from the op's type rule
 *   IR0203 duplicate value name  IR0206 the builder or the verifier rejects the node
 */
import { DenocError, registerSource, suggest, type DiagnosticCode } from '../diagnostics.ts';
import { allOps, attrSpec, getOp, hasOp } from '../ops/registry.ts';
import { GraphBuilder } from './builder.ts';
import type { AttrValue, Graph, Node } from './node.ts';
import type { Span } from './span.ts';
import { DTYPES, formatType, isFloat, sameType, tensorType, tupleType, type Dim, type DType, type TensorType, type Type } from './types.ts';
import { checkNode } from './verify.ts';

export interface ParseOptions {
  /** File name used in error spans (default `<ir>`). */
  readonly file?: string;
}

/** Parses one `graph @name(...) { ... }`; throws DenocError with the line:col of the problem. */
export function parseGraph(text: string, opts: ParseOptions = {}): Graph {
  const file = opts.file ?? '<ir>';
  registerSource(file, text);
  const p = new IRParser(lex(text, file), file);
  const graph = p.graph();
  p.expectEnd();
  return graph;
}

/** Leaf ops whose dtype and shape attributes the printer writes as the node's type. */
const TYPED_LEAVES = new Set(['weight', 'constant']);

type RawValue = number | string | boolean | (number | string)[] | { dense: number[] };

interface RawAttr {
  key: Token;
  value: RawValue;
}

class IRParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly file: string,
  ) {}

  graph(): Graph {
    this.keyword('graph');
    const name = this.take('at', 'a graph name like @main').text;
    const b = new GraphBuilder(name);
    const scope = new Map<string, Node>();
    this.params(b, scope);
    this.block(b, scope, 'return');
    return b.finish(this.outputs(scope));
  }

  expectEnd(): void {
    if (this.peek().kind !== 'eof') this.fail('IR0201', `expected end of text after the graph, found ${this.describe(this.peek())}`);
  }

  private params(b: GraphBuilder, scope: Map<string, Node>): void {
    this.punct('(');
    while (!this.isPunct(')')) {
      if (scope.size) this.punct(',');
      const nameTok = this.take('pct', 'a parameter like %x');
      this.punct(':');
      const type = this.tensorTypeOf(this.type(), nameTok);
      this.define(
        scope,
        nameTok,
        this.build(nameTok, () => b.param(nameTok.text, type)),
      );
    }
    this.punct(')');
  }

  /** `{ stmt* terminator refs }`; the terminator's refs are left for `outputs`. */
  private block(b: GraphBuilder, scope: Map<string, Node>, terminator: 'return' | 'yield'): void {
    this.punct('{');
    while (!this.isIdent(terminator)) {
      if (this.peek().kind !== 'pct') this.fail('IR0201', `expected a node '%N = op...' or '${terminator}', found ${this.describe(this.peek())}`);
      this.statement(b, scope);
    }
    this.pos++;
  }

  private outputs(scope: Map<string, Node>): Node[] {
    const outs: Node[] = [];
    while (this.peek().kind === 'pct') {
      outs.push(this.ref(scope));
      if (!this.isPunct(',')) break;
      this.pos++;
    }
    this.punct('}');
    return outs;
  }

  private statement(b: GraphBuilder, scope: Map<string, Node>): void {
    const nameTok = this.take('pct', 'a value name');
    this.punct('=');
    const opTok = this.take('ident', 'an op name');
    if (!hasOp(opTok.text)) {
      const hint = suggest(
        opTok.text,
        allOps().map((d) => d.name),
      );
      this.fail('IR0204', `unknown op '${opTok.text}'${hint ? ` (did you mean '${hint}'?)` : ''}`, opTok);
    }
    if (opTok.text === 'param') this.fail('IR0201', `param nodes are declared in the graph or body header, not as statements`, opTok);
    const inputs = this.isPunct('(') ? this.refList(scope) : [];
    const rawAttrs = this.isPunct('{') ? this.attrList() : [];
    this.punct(':');
    const typeTok = this.peek();
    const type = this.type();
    const span = this.peek().kind === 'loc' ? this.loc(this.tokens[this.pos++]) : undefined;
    const regions: Graph[] = [];
    while (this.isIdent('body')) regions.push(this.body(`${b.name}.${opTok.text}`));
    const attrs = this.attrs(opTok, rawAttrs, type);
    const node = this.build(opTok, () => b.op(opTok.text, inputs, attrs, span, regions));
    if (!sameType(node.type, type)) {
      this.fail('IR0205', `'${opTok.text}' has type ${formatType(node.type)} by its type rule, but the text says ${formatType(type)}`, typeTok);
    }
    if (regions.length) {
      const problem = checkNode(node)[0];
      if (problem) this.fail('IR0206', `${problem.code}: ${problem.message}`, opTok);
    }
    this.define(scope, nameTok, node);
  }

  private body(name: string): Graph {
    this.keyword('body');
    const b = new GraphBuilder(name);
    const scope = new Map<string, Node>();
    this.params(b, scope);
    this.block(b, scope, 'yield');
    return b.finish(this.outputs(scope));
  }

  private refList(scope: Map<string, Node>): Node[] {
    this.punct('(');
    const refs: Node[] = [];
    while (!this.isPunct(')')) {
      if (refs.length) this.punct(',');
      refs.push(this.ref(scope));
    }
    this.punct(')');
    return refs;
  }

  private ref(scope: Map<string, Node>): Node {
    const tok = this.take('pct', 'a value like %3');
    const node = scope.get(tok.text);
    if (!node) {
      const hint = suggest(tok.text, scope.keys());
      this.fail(
        'IR0202',
        `%${tok.text} is not defined in this graph or body (regions see only their own params)${hint ? `; did you mean %${hint}?` : ''}`,
        tok,
      );
    }
    return node;
  }

  private define(scope: Map<string, Node>, tok: Token, node: Node): void {
    if (scope.has(tok.text)) this.fail('IR0203', `%${tok.text} is defined twice`, tok);
    scope.set(tok.text, node);
  }

  private attrList(): RawAttr[] {
    this.punct('{');
    const out: RawAttr[] = [];
    while (!this.isPunct('}')) {
      if (out.length) this.punct(',');
      const key = this.take('ident', 'an attribute name');
      this.punct('=');
      out.push({ key, value: this.value() });
    }
    this.punct('}');
    return out;
  }

  private value(): RawValue {
    const tok = this.peek();
    if (tok.kind === 'num' || tok.kind === 'str') {
      this.pos++;
      return tok.value as number | string;
    }
    if (tok.kind === 'ident' && (tok.text === 'true' || tok.text === 'false')) {
      this.pos++;
      return tok.text === 'true';
    }
    if (tok.kind === 'ident' && tok.text === 'dense') return { dense: this.dense() };
    if (this.isPunct('[')) {
      this.pos++;
      const items: (number | string)[] = [];
      while (!this.isPunct(']')) {
        if (items.length) this.punct(',');
        const item = this.peek();
        if (item.kind !== 'num' && item.kind !== 'str') this.fail('IR0201', `expected a number or string in the list, found ${this.describe(item)}`);
        items.push(item.value as number | string);
        this.pos++;
      }
      this.pos++;
      return items;
    }
    return this.fail('IR0201', `expected an attribute value, found ${this.describe(tok)}`);
  }

  private dense(): number[] {
    this.pos++;
    this.punct('<');
    if (this.isPunct('...')) this.fail('IR0201', 'elided constant `dense<...N values>` cannot be parsed; print with elideConstantsOver unset');
    this.punct('[');
    const values: number[] = [];
    while (!this.isPunct(']')) {
      if (values.length) this.punct(',');
      values.push(this.take('num', 'a number').value as number);
    }
    this.pos++;
    this.punct('>');
    return values;
  }

  /** Converts raw values to the kinds the op's attribute schema declares. */
  private attrs(opTok: Token, raw: RawAttr[], type: Type): Record<string, AttrValue> {
    const def = getOp(opTok.text);
    const out: Record<string, AttrValue> = {};
    for (const { key, value } of raw) {
      const spec = attrSpec(def, key.text);
      if (!spec) this.fail('IR0206', `op '${def.name}' has no attribute '${key.text}' (it has: ${Object.keys(def.attrs).join(', ') || 'none'})`, key);
      if (key.text in out) this.fail('IR0203', `attribute '${key.text}' is given twice`, key);
      if (spec.kind === 'data') {
        if (typeof value !== 'object' || !('dense' in value)) this.fail('IR0206', `attribute '${key.text}' needs dense<[...]> data`, key);
        const dtype = type.kind === 'tensor' ? type.dtype : 'f32';
        out[key.text] = isFloat(dtype) ? Float32Array.from(value.dense) : Int32Array.from(value.dense);
      } else {
        if (typeof value === 'object' && !Array.isArray(value)) this.fail('IR0206', `attribute '${key.text}' is ${spec.kind}, not dense data`, key);
        out[key.text] = value;
      }
    }
    if (TYPED_LEAVES.has(def.name)) {
      const t = this.tensorTypeOf(type, opTok);
      out.dtype = t.dtype;
      out.shape = t.shape;
    }
    return out;
  }

  private type(): Type {
    if (!this.isPunct('(')) return this.tensorType();
    this.pos++;
    const elements: TensorType[] = [];
    while (!this.isPunct(')')) {
      if (elements.length) this.punct(',');
      elements.push(this.tensorType());
    }
    this.pos++;
    return tupleType(elements);
  }

  private tensorType(): TensorType {
    const tok = this.take('ident', 'a type like f32[B,4]');
    if (!DTYPES.includes(tok.text as DType)) this.fail('IR0201', `unknown dtype '${tok.text}' (dtypes: ${DTYPES.join(', ')})`, tok);
    this.punct('[');
    const dims: Dim[] = [];
    while (!this.isPunct(']')) {
      if (dims.length) this.punct(',');
      const d = this.peek();
      if (d.kind === 'ident') dims.push(d.text);
      else if (d.kind === 'num' && Number.isInteger(d.value) && (d.value as number) >= 0) dims.push(d.value as number);
      else this.fail('IR0201', `expected a dim (a non-negative integer or a symbol), found ${this.describe(d)}`);
      this.pos++;
    }
    this.pos++;
    return tensorType(tok.text as DType, dims);
  }

  private tensorTypeOf(t: Type, at: Token): TensorType {
    if (t.kind !== 'tensor') this.fail('IR0201', `expected a tensor type, found ${formatType(t)}`, at);
    return t;
  }

  private loc(tok: Token): Span {
    const m = /^(.*):(\d+):(\d+)$/.exec(tok.text);
    if (!m) this.fail('IR0201', `loc(...) must be file:line:col, found '${tok.text}'`, tok);
    return { file: m[1], line: Number(m[2]), col: Number(m[3]) };
  }

  /** Runs a builder call, re-reporting its DenocError at the token's position. */
  private build(at: Token, make: () => Node): Node {
    try {
      return make();
    } catch (e) {
      if (e instanceof DenocError) this.fail('IR0206', e.diagnostics.map((d) => d.message).join('; '), at);
      throw e;
    }
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private isIdent(text: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === text;
  }

  private punct(text: string): void {
    if (!this.isPunct(text)) this.fail('IR0201', `expected '${text}', found ${this.describe(this.peek())}`);
    this.pos++;
  }

  private keyword(text: string): void {
    if (!this.isIdent(text)) this.fail('IR0201', `expected '${text}', found ${this.describe(this.peek())}`);
    this.pos++;
  }

  private take(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail('IR0201', `expected ${what}, found ${this.describe(t)}`);
    this.pos++;
    return t;
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of text';
    const sigil = t.kind === 'pct' ? '%' : t.kind === 'at' ? '@' : '';
    return `'${sigil}${t.kind === 'loc' ? `loc(${t.text})` : t.text}'`;
  }

  private fail(code: DiagnosticCode, message: string, at: Token = this.peek()): never {
    const span: Span = { file: this.file, line: at.line, col: at.col };
    throw new DenocError({ code, severity: 'error', message: `${at.line}:${at.col}: ${message}`, span });
  }
}

interface Token {
  readonly kind: 'pct' | 'at' | 'ident' | 'num' | 'str' | 'punct' | 'loc' | 'eof';
  /** Name without its sigil for pct/at, raw `file:line:col` for loc. */
  readonly text: string;
  readonly value?: number | string;
  readonly line: number;
  readonly col: number;
}

/** Sticky token patterns, tried in order at the current position. */
const PATTERNS: [Token['kind'], RegExp][] = [
  ['pct', /%([A-Za-z0-9_.$-]+)/y],
  ['at', /@([A-Za-z0-9_.$-]+)/y],
  ['loc', /loc\(([^\n]*)\)[ \t\r]*(?=\n|$)/y],
  ['str', /"(?:[^"\\\n]|\\.)*"/y],
  ['num', /-?(?:nan|inf)\b|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y],
  ['ident', /[A-Za-z_][A-Za-z0-9_.]*/y],
  ['punct', /\.\.\.|[(){}[\]<>,:=]/y],
];
const SPECIAL_NUMBERS: Record<string, number> = { nan: NaN, '-nan': NaN, inf: Infinity, '-inf': -Infinity };

function lex(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0,
    line = 1,
    lineStart = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const col = i - lineStart + 1;
    const hit = matchToken(text, i);
    if (!hit) {
      const what =
        c === '%' || c === '@'
          ? `a name after '${c}'`
          : text.startsWith('loc(', i)
            ? 'loc(...) closing at the end of its line'
            : `a token, found '${c}'`;
      throw new DenocError({ code: 'IR0201', severity: 'error', message: `${line}:${col}: expected ${what}`, span: { file, line, col } });
    }
    tokens.push({ ...hit.token, line, col });
    i += hit.length;
  }
  tokens.push({ kind: 'eof', text: '', line, col: i - lineStart + 1 });
  return tokens;
}

function matchToken(text: string, i: number): { token: Omit<Token, 'line' | 'col'>; length: number } | undefined {
  for (const [kind, re] of PATTERNS) {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) continue;
    const raw = m[0];
    if (kind === 'num') return { token: { kind, text: raw, value: SPECIAL_NUMBERS[raw] ?? Number(raw) }, length: raw.length };
    if (kind === 'str') return { token: { kind, text: raw, value: JSON.parse(raw) as string }, length: raw.length };
    return { token: { kind, text: m[1] ?? raw }, length: raw.length };
  }
  return undefined;
}
