/**
 * The parser and CST→AST conversion: valid programs give the expected AST shapes (spans stripped
 * and compared with trees written by hand), precedence and layout rules hold, spans point at the
 * source.
 */
import { describe, expect, it } from 'vitest';
import type { Expr, SourceFile, Stmt } from '../../dsl/syntax/ast.ts';
import { parseSource } from '../../dsl/syntax/cst-to-ast.ts';

function parse(src: string): SourceFile {
  const r = parseSource(src, 't.dn');
  expect(r.diagnostics).toEqual([]);
  return r.ast!;
}

/** Drops spans so trees compare structurally. */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => k !== 'span' && k !== 'nameSpan' && x !== undefined)
        .map(([k, x]) => [k, strip(x)]),
    );
  }
  return v;
}

/** The AST of one expression, parsed as the value of a sampler statement. */
function expr(text: string): unknown {
  const ast = parse(`sampler s(model: Model) {\n  v = ${text}\n  return v\n}\n`);
  const decl = ast.decls[0];
  if (decl.kind !== 'sampler') throw new Error('expected a sampler');
  return strip((decl.body[0] as Extract<Stmt, { kind: 'assign' }>).value);
}

function body(text: string): unknown {
  const decl = parse(`sampler s(model: Model) {\n${text}\n}\n`).decls[0];
  if (decl.kind !== 'sampler') throw new Error('expected a sampler');
  return strip(decl.body);
}

const n = (name: string) => ({ kind: 'name', name });
const i = (value: number) => ({ kind: 'num', value, isInt: true });
const bin = (op: string, left: unknown, right: unknown) => ({ kind: 'binary', op, left, right });

describe('expressions', () => {
  it('binds * tighter than + and ** tighter than *', () => {
    expect(expr('a + b * c ** 2')).toEqual(bin('+', n('a'), bin('*', n('b'), bin('**', n('c'), i(2)))));
  });

  it('is left-associative for - and /, right-associative for **', () => {
    expect(expr('a - b - c')).toEqual(bin('-', bin('-', n('a'), n('b')), n('c')));
    expect(expr('a / b // c')).toEqual(bin('//', bin('/', n('a'), n('b')), n('c')));
    expect(expr('a ** b ** c')).toEqual(bin('**', n('a'), bin('**', n('b'), n('c'))));
  });

  it('applies unary minus after **, as Python does', () => {
    expect(expr('-x ** 2')).toEqual({ kind: 'unary', op: '-', operand: bin('**', n('x'), i(2)) });
  });

  it('orders not, comparison, and, or', () => {
    expect(expr('not a == b and c or d')).toEqual(
      bin('or', bin('and', { kind: 'unary', op: 'not', operand: bin('==', n('a'), n('b')) }, n('c')), n('d')),
    );
  });

  it('parses @ as a multiplicative operator', () => {
    expect(expr('a @ b + c')).toEqual(bin('+', bin('@', n('a'), n('b')), n('c')));
  });

  it('chains calls, indexing and members left to right', () => {
    expect(expr('proj(silu(e))[:, :, None, None]')).toEqual({
      kind: 'index',
      target: { kind: 'call', callee: n('proj'), args: [{ value: { kind: 'call', callee: n('silu'), args: [{ value: n('e') }] } }] },
      items: [{ kind: 'slice' }, { kind: 'slice' }, { kind: 'at', value: { kind: 'none' } }, { kind: 'at', value: { kind: 'none' } }],
    });
    expect(expr('sched.alpha[ts[i + 1]]')).toEqual({
      kind: 'index',
      target: { kind: 'member', target: n('sched'), name: 'alpha' },
      items: [{ kind: 'at', value: { kind: 'index', target: n('ts'), items: [{ kind: 'at', value: bin('+', n('i'), i(1)) }] } }],
    });
  });

  it('parses slices with start, stop, step and ellipsis', () => {
    expect(expr('x[1:, :4, ::2, 1:3:2, ...]')).toEqual({
      kind: 'index',
      target: n('x'),
      items: [
        { kind: 'slice', start: i(1) },
        { kind: 'slice', stop: i(4) },
        { kind: 'slice', step: i(2) },
        { kind: 'slice', start: i(1), stop: i(3), step: i(2) },
        { kind: 'ellipsis' },
      ],
    });
  });

  it('keeps named arguments apart from positional ones', () => {
    expect(expr('Conv2d(cin, cout, k: 3, pad: 1)')).toEqual({
      kind: 'call',
      callee: n('Conv2d'),
      args: [{ value: n('cin') }, { value: n('cout') }, { name: 'k', value: i(3) }, { name: 'pad', value: i(1) }],
    });
  });

  it('parses list literals, comprehensions over ranges and lists, and if-expressions', () => {
    expect(expr('[1, 2.5, "a", true, None]')).toEqual({
      kind: 'list',
      elements: [i(1), { kind: 'num', value: 2.5, isInt: false }, { kind: 'str', value: 'a' }, { kind: 'bool', value: true }, { kind: 'none' }],
    });
    expect(expr('[f(j) for j in 0 .. n]')).toEqual({
      kind: 'comprehension',
      element: { kind: 'call', callee: n('f'), args: [{ value: n('j') }] },
      variable: { name: 'j' },
      start: i(0),
      end: n('n'),
    });
    expect(expr('[b for b in blocks]')).toEqual({ kind: 'comprehension', element: n('b'), variable: { name: 'b' }, start: n('blocks') });
    expect(expr('if a != b then f(a) else g')).toEqual({
      kind: 'ifExpr',
      cond: bin('!=', n('a'), n('b')),
      then: { kind: 'call', callee: n('f'), args: [{ value: n('a') }] },
      else: n('g'),
    });
  });

  it('reads numbers as ints or floats and 0..n as a range', () => {
    expect(expr('1e-4')).toEqual({ kind: 'num', value: 1e-4, isInt: false });
    expect(expr('[k for k in 0..n]')).toMatchObject({ start: i(0), end: n('n') });
  });

  it('lets model, block and sampler be used as names', () => {
    expect(expr('model(x, block)')).toEqual({ kind: 'call', callee: n('model'), args: [{ value: n('x') }, { value: n('block') }] });
  });
});

describe('statements and layout', () => {
  it('parses tuple assignment, multi-value return, for and if/else if/else', () => {
    expect(body('a, b = f(x)\nfor k in 0 .. 2 {\n  a = a\n}\nif c {\n  a = 1\n} else if d {\n  a = 2\n} else {\n  a = 3\n}\nreturn a, b')).toEqual([
      { kind: 'assign', targets: [{ name: 'a' }, { name: 'b' }], value: { kind: 'call', callee: n('f'), args: [{ value: n('x') }] } },
      { kind: 'for', variable: { name: 'k' }, start: i(0), end: i(2), body: [{ kind: 'assign', targets: [{ name: 'a' }], value: n('a') }] },
      {
        kind: 'if',
        cond: n('c'),
        then: [{ kind: 'assign', targets: [{ name: 'a' }], value: i(1) }],
        else: [
          {
            kind: 'if',
            cond: n('d'),
            then: [{ kind: 'assign', targets: [{ name: 'a' }], value: i(2) }],
            else: [{ kind: 'assign', targets: [{ name: 'a' }], value: i(3) }],
          },
        ],
      },
      { kind: 'return', values: [n('a'), n('b')] },
    ]);
  });

  it('continues an expression after an operator, inside brackets and before then/else', () => {
    const joined = body('v = a +\n  b\nw = f(a,\n  b)\nu = if a\n  then b\n  else c\nreturn v');
    expect(joined).toEqual([
      { kind: 'assign', targets: [{ name: 'v' }], value: bin('+', n('a'), n('b')) },
      { kind: 'assign', targets: [{ name: 'w' }], value: { kind: 'call', callee: n('f'), args: [{ value: n('a') }, { value: n('b') }] } },
      { kind: 'assign', targets: [{ name: 'u' }], value: { kind: 'ifExpr', cond: n('a'), then: n('b'), else: n('c') } },
      { kind: 'return', values: [n('v')] },
    ]);
  });

  it('ends a statement at a newline, so a parenthesis on the next line is not a call', () => {
    const r = parseSource('sampler s(model: Model) {\n  v = f\n  (x)\n  return v\n}\n', 't.dn');
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0].span?.line).toBe(3);
  });

  it('accepts ; between statements and members on one line', () => {
    const ast = parse('block A(n: int) {\n  a = n; b = n * 2\n  fn (x: f32[B]) { y = x; return y }\n}\n');
    const block = ast.decls[0] as Extract<SourceFile['decls'][number], { kind: 'block' }>;
    expect(block.members.map((m) => m.name)).toEqual(['a', 'b']);
    expect(block.fns[0].body.map((s) => s.kind)).toEqual(['assign', 'return']);
  });
});

describe('declarations', () => {
  const src = [
    'import "std/nn"',
    'import "./other.dn"',
    '# a comment',
    'block Res(cin: int, cout: int = 4, gain: float = 1.0) {',
    '  conv = Conv2d(cin, cout, k: 3)',
    '  fn (x: f32[B, cin, H, W], e: f32[..., 8]) -> (f32[B, cout, H, W], f32[B]) {',
    '    return conv(x), x',
    '  }',
    '}',
    'model M {',
    '  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x }',
    '}',
    'sampler ddim(model: Model, steps: int = 50) {',
    '  return model(randn(model.sample_shape), 0)',
    '}',
    'sampler fast = ddim(M, steps: 10)',
  ].join('\n');

  it('reads imports, blocks, models, samplers and sampler instances', () => {
    const ast = parse(src);
    expect(ast.imports.map((x) => x.path)).toEqual(['std/nn', './other.dn']);
    expect(ast.decls.map((d) => `${d.kind}:${d.name}`)).toEqual(['block:Res', 'block:M', 'sampler:ddim']);
    expect(ast.decls.map((d) => d.kind === 'block' && d.isModel)).toEqual([false, true, false]);
    expect(strip(ast.instances)).toEqual([
      {
        kind: 'samplerInstance',
        name: 'fast',
        call: { kind: 'call', callee: n('ddim'), args: [{ value: n('M') }, { name: 'steps', value: i(10) }] },
      },
    ]);
  });

  it('reads parameters with defaults and signatures with dims, ... and tuple results', () => {
    const block = parse(src).decls[0] as Extract<SourceFile['decls'][number], { kind: 'block' }>;
    expect(strip(block.params)).toEqual([
      { name: 'cin', type: { kind: 'scalarType', name: 'int' } },
      { name: 'cout', type: { kind: 'scalarType', name: 'int' }, default: i(4) },
      { name: 'gain', type: { kind: 'scalarType', name: 'float' }, default: { kind: 'num', value: 1, isInt: false } },
    ]);
    const fn = block.fns[0];
    expect(strip(fn.params.map((p) => p.type))).toEqual([
      { kind: 'tensorType', dtype: 'f32', dims: [n('B'), n('cin'), n('H'), n('W')] },
      { kind: 'tensorType', dtype: 'f32', dims: [{ kind: 'ellipsis' }, i(8)] },
    ]);
    expect(strip(fn.result)).toEqual({
      kind: 'tupleType',
      elements: [
        { kind: 'tensorType', dtype: 'f32', dims: [n('B'), n('cout'), n('H'), n('W')] },
        { kind: 'tensorType', dtype: 'f32', dims: [n('B')] },
      ],
    });
  });

  it('gives nodes spans that point at their source', () => {
    const block = parse(src).decls[0] as Extract<SourceFile['decls'][number], { kind: 'block' }>;
    expect(block.nameSpan).toMatchObject({ file: 't.dn', line: 4, col: 7, endCol: 10 });
    const conv = block.members[0].value as Extract<Expr, { kind: 'call' }>;
    expect(conv.span).toMatchObject({ line: 5, col: 10, endLine: 5, endCol: 33 });
    expect(conv.args[2].span).toMatchObject({ line: 5, col: 28 });
    const ret = block.fns[0].body[0] as Extract<Stmt, { kind: 'return' }>;
    expect(ret.values[1].span).toMatchObject({ line: 7, col: 21 });
  });
});
