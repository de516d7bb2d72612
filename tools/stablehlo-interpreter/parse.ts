/**
 * Parses the StableHLO text denoc emits (a module of func.func with the pretty forms written by
 * writer.ts, plus generic `"stablehlo.gather"`) into a small AST for the interpreter. It accepts
 * exactly that subset and rejects anything else with `line:col`, so a test that parses every emitted
 * module also checks that the emitter stays inside the syntax it claims.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { Scanner } from './scanner.ts';
import { CONV_DIM_NUMBERS, type ConvDims } from '../../targets/stablehlo/writer.ts';
import type { TType } from '../../targets/stablehlo/types.ts';

export type AttrVal = number | string | boolean | readonly number[] | readonly (readonly number[])[];

export interface HloOp {
  readonly name: string;
  /** Refs other ops use: `%3`, or `%3#0 … %3#k` for several results. */
  readonly results: readonly string[];
  readonly operands: readonly string[];
  readonly operandTypes: readonly TType[];
  readonly resultTypes: readonly TType[];
  readonly attrs: Readonly<Record<string, AttrVal>>;
  /** Dense constant data (stablehlo.constant). */
  readonly values?: readonly number[];
  readonly regions: readonly HloRegion[];
  readonly line: number;
}

export interface HloRegion {
  readonly args: readonly string[];
  readonly ops: readonly HloOp[];
}

export interface HloFunc {
  readonly name: string;
  readonly visibility: string;
  readonly args: readonly string[];
  readonly argTypes: readonly TType[];
  readonly resultTypes: readonly TType[];
  readonly body: readonly HloOp[];
}

export interface HloModule {
  readonly name: string;
  readonly funcs: ReadonlyMap<string, HloFunc>;
}

const UNARY = new Set(['negate', 'abs', 'sign', 'exponential', 'log', 'sqrt', 'rsqrt', 'sine', 'cosine', 'tanh', 'logistic']);
const BINARY = new Set([
  'add',
  'subtract',
  'multiply',
  'divide',
  'power',
  'minimum',
  'maximum',
  'and',
  'or',
  'xor',
  'shift_left',
  'shift_right_logical',
]);
const CAST = new Set(['convert', 'bitcast_convert', 'reshape']);

interface Draft {
  operands: string[];
  attrs: Record<string, AttrVal>;
  operandTypes: TType[];
  resultTypes: TType[];
  values?: number[];
  regions: HloRegion[];
}

const draft = (): Draft => ({ operands: [], attrs: {}, operandTypes: [], resultTypes: [], regions: [] });

class Parser {
  constructor(private readonly s: Scanner) {}

  module(): HloModule {
    const s = this.s;
    s.expect('module');
    const name = s.peek('@') ? s.symbol() : 'module';
    if (s.eat('attributes')) this.skipBraces();
    s.expect('{');
    const funcs = new Map<string, HloFunc>();
    while (!s.eat('}')) {
      const f = this.func();
      if (funcs.has(f.name)) fail('HLO0201', `function @${f.name} is defined twice`);
      funcs.set(f.name, f);
    }
    if (!s.atEnd()) s.error('text after the end of the module');
    return { name, funcs };
  }

  private skipBraces(): void {
    this.s.expect('{');
    let depth = 1;
    while (depth > 0) {
      if (this.s.pos >= this.s.text.length) this.s.error('unbalanced braces');
      const ch = this.s.text[this.s.pos++];
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
  }

  private func(): HloFunc {
    const s = this.s;
    s.expect('func.func');
    const visibility = s.eat('public') ? 'public' : s.eat('private') ? 'private' : 'public';
    const name = s.symbol();
    s.expect('(');
    const args: string[] = [];
    const argTypes: TType[] = [];
    while (!s.eat(')')) {
      if (args.length) s.expect(',');
      args.push(s.valueRef());
      s.expect(':');
      argTypes.push(s.type());
    }
    s.expect('->');
    let resultTypes: TType[];
    if (s.eat('(')) {
      resultTypes = s.peek(')') ? [] : s.typeList();
      s.expect(')');
    } else resultTypes = [s.type()];
    s.expect('{');
    const body = this.block(['return', 'func.return']);
    return { name, visibility, args, argTypes, resultTypes, body };
  }

  /** Ops up to and including the terminator, then the closing brace. */
  private block(terminators: readonly string[]): HloOp[] {
    const ops: HloOp[] = [];
    for (;;) {
      const op = this.op();
      ops.push(op);
      if (terminators.includes(op.name)) break;
      if (op.name === 'stablehlo.return' || op.name === 'func.return' || op.name === 'return') {
        this.s.error(`'${op.name}' cannot end this block`);
      }
    }
    this.s.expect('}');
    return ops;
  }

  private op(): HloOp {
    const s = this.s;
    s.skip();
    const line = s.line();
    let results: string[] = [];
    if (s.peek('%')) {
      const def = s.resultDef();
      results = def.count === 1 ? [def.name] : Array.from({ length: def.count }, (_, i) => `${def.name}#${i}`);
      s.expect('=');
    }
    const generic = s.peek('"');
    let name: string;
    if (generic) {
      s.expect('"');
      name = s.ident();
      s.expect('"');
    } else name = s.ident();
    const d = draft();
    this.body(name, generic, d);
    if (d.resultTypes.length !== results.length) {
      s.error(`${name} defines ${results.length} results but its type lists ${d.resultTypes.length}`);
    }
    return { name, results, line, ...d };
  }

  /** `%a, %b, ...`: stops before a comma that is not followed by another value. */
  private operandList(d: Draft): void {
    const s = this.s;
    d.operands.push(s.valueRef());
    for (;;) {
      const save = s.pos;
      if (!s.eat(',')) return;
      if (!s.peek('%')) {
        s.pos = save;
        return;
      }
      d.operands.push(s.valueRef());
    }
  }

  /** `: T` (every operand and the result share it) or a function type. */
  private signature(d: Draft): void {
    const s = this.s;
    s.expect(':');
    if (s.peek('(')) {
      const f = s.functionType();
      d.operandTypes = f.operands;
      d.resultTypes = f.results;
    } else {
      const t = s.type();
      d.operandTypes = d.operands.map(() => t);
      d.resultTypes = [t];
    }
  }

  private keyList(key: string): number[] {
    this.s.expect(key);
    this.s.expect('=');
    return this.s.intList();
  }

  private body(name: string, generic: boolean, d: Draft): void {
    const s = this.s;
    const short = name.startsWith('stablehlo.') ? name.slice('stablehlo.'.length) : name;
    if (generic) return this.genericBody(name, d);
    if (UNARY.has(short) || BINARY.has(short) || CAST.has(short)) {
      this.operandList(d);
      return this.signature(d);
    }
    switch (short) {
      case 'constant': {
        const { values, type } = s.dense();
        d.values = values;
        d.resultTypes = [type];
        return;
      }
      case 'iota':
        d.attrs.dim = this.keyScalar('dim');
        s.expect(':');
        d.resultTypes = [s.type()];
        return;
      case 'compare':
        d.attrs.direction = s.ident();
        s.expect(',');
        this.operandList(d);
        if (s.eat(',')) d.attrs.compareType = s.ident();
        return this.signature(d);
      case 'select':
        this.operandList(d);
        return this.signature(d);
      case 'broadcast_in_dim':
      case 'transpose':
        d.attrs.dims = this.afterOperands(d, 'dims');
        return this.signature(d);
      case 'slice':
        d.operands.push(s.valueRef());
        this.sliceRanges(d);
        return this.signature(d);
      case 'dynamic_slice':
        d.attrs.sizes = this.afterOperands(d, 'sizes');
        return this.signature(d);
      case 'concatenate':
        this.operandList(d);
        s.expect(',');
        d.attrs.dim = this.keyScalar('dim');
        return this.signature(d);
      case 'pad':
        d.attrs.low = this.afterOperands(d, 'low');
        s.expect(',');
        d.attrs.high = this.keyList('high');
        s.expect(',');
        d.attrs.interior = this.keyList('interior');
        return this.signature(d);
      case 'reduce':
        return this.reduceBody(d);
      case 'dot_general':
        return this.dotBody(d);
      case 'convolution':
        return this.convBody(d);
      case 'while':
        return this.whileBody(d);
      case 'func.call':
        return this.callBody(d);
      case 'return':
      case 'func.return':
        if (!s.peek('}')) {
          this.operandList(d);
          s.expect(':');
          d.operandTypes = s.typeList();
        }
        return;
    }
    return s.error(`unsupported op '${name}'`);
  }

  private keyScalar(key: string): number {
    this.s.expect(key);
    this.s.expect('=');
    return this.s.int();
  }

  /** `%a, %b, key = [..]`: the operands, then one integer-list attribute. */
  private afterOperands(d: Draft, key: string): number[] {
    this.operandList(d);
    this.s.expect(',');
    return this.keyList(key);
  }

  private sliceRanges(d: Draft): void {
    const s = this.s;
    const start: number[] = [],
      limit: number[] = [],
      strides: number[] = [];
    s.expect('[');
    while (!s.eat(']')) {
      if (start.length) s.expect(',');
      start.push(s.int());
      s.expect(':');
      limit.push(s.int());
      strides.push(s.eat(':') ? s.int() : 1);
    }
    Object.assign(d.attrs, { start, limit, strides });
  }

  private reduceBody(d: Draft): void {
    const s = this.s;
    s.expect('(');
    d.operands.push(s.valueRef());
    s.expect('init:');
    d.operands.push(s.valueRef());
    s.expect(')');
    s.expect('applies');
    d.attrs.body = s.ident();
    s.expect('across');
    d.attrs.dims = this.keyList('dimensions');
    this.signature(d);
  }

  private pairLists(key: string): [number[], number[]] {
    this.s.expect(key);
    this.s.expect('=');
    const a = this.s.intList();
    this.s.expect('x');
    return [a, this.s.intList()];
  }

  private dotBody(d: Draft): void {
    const s = this.s;
    d.operands.push(s.valueRef());
    s.expect(',');
    d.operands.push(s.valueRef());
    s.expect(',');
    [d.attrs.lhsBatch, d.attrs.rhsBatch] = [[], []];
    if (s.peek('batching_dims')) {
      [d.attrs.lhsBatch, d.attrs.rhsBatch] = this.pairLists('batching_dims');
      s.expect(',');
    }
    [d.attrs.lhsContract, d.attrs.rhsContract] = this.pairLists('contracting_dims');
    if (s.eat(',')) {
      s.expect('precision');
      s.expect('=');
      s.expect('[');
      d.attrs.precision = s.ident();
      s.expect(',');
      s.ident();
      s.expect(']');
    }
    this.signature(d);
  }

  private convBody(d: Draft): void {
    const s = this.s;
    s.expect('(');
    d.operands.push(s.valueRef());
    s.expect(',');
    d.operands.push(s.valueRef());
    s.expect(')');
    s.expect('dim_numbers');
    s.expect('=');
    s.skip();
    const dims = (Object.keys(CONV_DIM_NUMBERS) as ConvDims[]).find((k) => s.text.startsWith(CONV_DIM_NUMBERS[k], s.pos));
    if (!dims) return s.error(`only dim_numbers = ${Object.values(CONV_DIM_NUMBERS).join(' or ')} are supported`);
    d.attrs.dims = dims;
    s.pos += CONV_DIM_NUMBERS[dims].length;
    s.expect(',');
    s.expect('window');
    s.expect('=');
    s.expect('{');
    while (!s.eat('}')) {
      if (s.eat(',')) continue;
      const key = s.ident();
      s.expect('=');
      if (key === 'pad') {
        s.expect('[');
        const rows: number[][] = [];
        while (!s.eat(']')) {
          if (rows.length) s.expect(',');
          rows.push(s.intList());
        }
        d.attrs.pad = rows;
      } else d.attrs[key] = s.intList();
    }
    s.expect('{');
    while (!s.eat('}')) {
      if (s.eat(',')) continue;
      const key = s.ident();
      s.expect('=');
      if (key === 'precision_config') {
        s.expect('[');
        s.expect('#stablehlo<precision');
        d.attrs.precision = s.ident();
        s.expect('>');
        s.expect(',');
        s.expect('#stablehlo<precision');
        s.ident();
        s.expect('>');
        s.expect(']');
      } else {
        d.attrs[key] = s.int();
        s.expect(':');
        s.ident();
      }
    }
    this.signature(d);
  }

  private whileBody(d: Draft): void {
    const s = this.s;
    const args: string[] = [];
    s.expect('(');
    while (!s.eat(')')) {
      if (args.length) s.expect(',');
      args.push(s.valueRef());
      s.expect('=');
      d.operands.push(s.valueRef());
    }
    s.expect(':');
    d.operandTypes = args.length ? s.typeList() : [];
    d.resultTypes = d.operandTypes;
    s.expect('cond');
    s.expect('{');
    d.regions.push({ args, ops: this.block(['stablehlo.return']) });
    s.expect('do');
    s.expect('{');
    d.regions.push({ args, ops: this.block(['stablehlo.return']) });
  }

  private callBody(d: Draft): void {
    const s = this.s;
    d.attrs.callee = s.symbol();
    s.expect('(');
    if (!s.peek(')')) this.operandList(d);
    s.expect(')');
    this.signature(d);
  }

  /** `"stablehlo.gather"(%d, %i) {dimension_numbers = #stablehlo.gather<...>, ...} : (T, T) -> T`. */
  private genericBody(name: string, d: Draft): void {
    const s = this.s;
    if (name !== 'stablehlo.gather') s.error(`generic form is only read for stablehlo.gather, not ${name}`);
    s.expect('(');
    this.operandList(d);
    s.expect(')');
    s.expect('{');
    while (!s.eat('}')) {
      if (s.eat(',')) continue;
      const key = s.ident();
      s.expect('=');
      if (key === 'dimension_numbers') {
        s.expect('#stablehlo.gather<');
        while (!s.eat('>')) {
          if (s.eat(',')) continue;
          const k = s.ident();
          s.expect('=');
          d.attrs[k] = s.peek('[') ? s.intList() : s.int();
        }
      } else if (key === 'slice_sizes') {
        s.expect('array<i64:');
        const sizes: number[] = [];
        while (!s.eat('>')) {
          if (sizes.length) s.expect(',');
          sizes.push(s.int());
        }
        d.attrs.slice_sizes = sizes;
      } else d.attrs[key] = s.ident() === 'true';
    }
    this.signature(d);
  }
}

/** Parses a module; throws DenocError HLO0201 with line:col on text outside the supported subset. */
export function parseStableHLO(text: string): HloModule {
  return new Parser(new Scanner(text)).module();
}
