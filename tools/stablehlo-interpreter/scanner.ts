/**
 * A character scanner for the MLIR text denoc emits: value refs (`%3`, `%7#1`, `%iterArg_0`),
 * symbols, identifiers, integers, tensor types, integer lists and `dense<...>` literals. Errors
 * carry `line:col` so a broken module points at the character that broke it.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { elemCount, isFloatElem, parseTTypeBody, type TType } from '../../targets/stablehlo/types.ts';

export class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  where(at = this.pos): string {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    return `${line}:${at - before.lastIndexOf('\n')}`;
  }

  line(): number {
    return this.text.slice(0, this.pos).split('\n').length;
  }

  error(message: string): never {
    const found = this.text.slice(this.pos, this.pos + 24).split('\n')[0];
    return fail('HLO0201', `${this.where()}: ${message} (found '${found}')`);
  }

  /** Skips spaces, newlines and `//` comments. */
  skip(): void {
    for (;;) {
      const m = /^(\s+|\/\/[^\n]*)/.exec(this.text.slice(this.pos, this.pos + 4096));
      if (!m) return;
      this.pos += m[0].length;
    }
  }

  atEnd(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.pos += s.length;
    return true;
  }

  expect(s: string): void {
    if (!this.eat(s)) this.error(`expected '${s}'`);
  }

  private match(re: RegExp, what: string): string {
    this.skip();
    const m = re.exec(this.text.slice(this.pos, this.pos + 256));
    if (!m) return this.error(`expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  valueRef(): string {
    return this.match(/^%[A-Za-z0-9_$.]+(#\d+)?/, 'a value like %0');
  }

  /** `%name` or `%name:N` on the left of `=`. */
  resultDef(): { name: string; count: number } {
    const name = this.match(/^%[A-Za-z0-9_$.]+/, 'a result name');
    const count = this.eat(':') ? this.int() : 1;
    return { name, count };
  }

  symbol(): string {
    return this.match(/^@[A-Za-z0-9_$.]+/, 'a symbol like @main').slice(1);
  }

  ident(): string {
    return this.match(/^[A-Za-z_][A-Za-z0-9_.$]*/, 'an identifier');
  }

  int(): number {
    return Number(this.match(/^-?\d+/, 'an integer'));
  }

  /** `[1, 2, 3]` (possibly empty). */
  intList(): number[] {
    this.expect('[');
    const out: number[] = [];
    while (!this.eat(']')) {
      if (out.length) this.expect(',');
      out.push(this.int());
    }
    return out;
  }

  type(): TType {
    this.expect('tensor<');
    const at = this.pos;
    const end = this.text.indexOf('>', at);
    if (end < 0) this.error(`unterminated tensor type`);
    this.pos = end + 1;
    return parseTTypeBody(this.text.slice(at, end), this.where(at));
  }

  /** `T, T, ...` (at least one). */
  typeList(): TType[] {
    const out = [this.type()];
    while (this.eat(',')) out.push(this.type());
    return out;
  }

  /** `(T, T) -> T` or `(T) -> (T, T)`; returns operand and result types. */
  functionType(): { operands: TType[]; results: TType[] } {
    this.expect('(');
    const operands = this.peek(')') ? [] : this.typeList();
    this.expect(')');
    this.expect('->');
    if (this.eat('(')) {
      const results = this.peek(')') ? [] : this.typeList();
      this.expect(')');
      return { operands, results };
    }
    return { operands, results: [this.type()] };
  }

  /** `dense<...>` followed by its type: returns the values expanded to the full element count. */
  dense(): { values: number[]; type: TType } {
    this.expect('dense<');
    const start = this.pos;
    let depth = 0;
    let end = start;
    for (; end < this.text.length; end++) {
      const ch = this.text[end];
      if (ch === '[' || ch === '<') depth++;
      else if (ch === ']') depth--;
      else if (ch === '>') {
        if (depth === 0) break;
        depth--;
      }
    }
    const body = this.text.slice(start, end).trim();
    this.pos = end + 1;
    this.expect(':');
    const type = this.type();
    return { values: denseValues(body, type, this.where(start)), type };
  }
}

const HEX_WIDTH: Record<string, number> = { f32: 4, i32: 4, ui32: 4 };

function scalarLiteral(tok: string, type: TType, where: string): number {
  if (tok === 'true') return 1;
  if (tok === 'false') return 0;
  if (/^0x[0-9A-Fa-f]+$/.test(tok)) {
    const bits = parseInt(tok, 16);
    if (!isFloatElem(type.elem)) return bits;
    const view = new DataView(new ArrayBuffer(4));
    if (type.elem === 'f32') {
      view.setUint32(0, bits);
      return view.getFloat32(0);
    }
    // Half types: only the non-finite patterns denoc writes.
    const exp = type.elem === 'bf16' ? (bits >> 7) & 0xff : (bits >> 10) & 0x1f;
    const mant = type.elem === 'bf16' ? bits & 0x7f : bits & 0x3ff;
    const allOnes = type.elem === 'bf16' ? 0xff : 0x1f;
    if (exp !== allOnes) fail('HLO0201', `${where}: hex literal ${tok} for ${type.elem} is not inf/nan`);
    return mant ? NaN : bits & 0x8000 ? -Infinity : Infinity;
  }
  const v = Number(tok);
  if (Number.isNaN(v)) fail('HLO0201', `${where}: bad literal '${tok}' in dense<...>`);
  return v;
}

function hexValues(hex: string, type: TType, where: string): number[] {
  const width = HEX_WIDTH[type.elem];
  if (!width) fail('HLO0201', `${where}: hex dense data is not supported for ${type.elem}`);
  const bytes = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  const view = new DataView(bytes.buffer);
  const n = bytes.length / width;
  return Array.from({ length: n }, (_, i) =>
    type.elem === 'f32' ? view.getFloat32(4 * i, true) : type.elem === 'i32' ? view.getInt32(4 * i, true) : view.getUint32(4 * i, true),
  );
}

function denseValues(body: string, type: TType, where: string): number[] {
  const n = elemCount(type.shape);
  let values: number[];
  if (body.startsWith('"')) values = hexValues(body.slice(1, -1), type, where);
  else {
    const tokens = body
      .replace(/[[\]]/g, ' ')
      .split(/[\s,]+/)
      .filter((t) => t.length);
    values = tokens.map((t) => scalarLiteral(t, type, where));
  }
  if (values.length === 1 && !body.startsWith('[')) return new Array<number>(n).fill(values[0]);
  if (values.length !== n) fail('HLO0201', `${where}: dense literal has ${values.length} values for a tensor of ${n}`);
  const depth = /^\[*/.exec(body)![0].length;
  if (!body.startsWith('"') && depth !== type.shape.length) {
    fail('HLO0201', `${where}: dense literal is nested ${depth} deep for a rank-${type.shape.length} tensor`);
  }
  return values;
}
