/**
 * Malformed programs, one per row: each must give the expected diagnostic code at the expected
 * line:col with a readable message, printed without a stack trace. Rows cover every stage:
 * lexer, parser, names, declarations, calls and values, shapes, samplers, IR type rules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSource, DSL_CODE_DESCRIPTIONS } from '../../dsl/index.ts';
import { diagnose, formatAll } from './helpers.ts';

interface Case {
  readonly name: string;
  readonly src: string;
  readonly code: string;
  readonly at: readonly [number, number];
  readonly message: RegExp;
  readonly hint?: RegExp;
  readonly files?: Readonly<Record<string, string>>;
  /** The file the diagnostic is in, when not main.dn. */
  readonly file?: string;
}

/** A model wrapper so a block's fn body can be exercised: `body` is the fn's statements. */
const model = (body: string, members = '', sig = '(x: f32[B, 4], t: f32[B]) -> f32[B, 4]'): string =>
  `import "std/nn"\nmodel M {\n${members}\n  fn ${sig} {\n${body}\n  }\n}\n`;
// In `model(...)`, members sit on line 3, the fn header on line 4 and the body from line 5.

const CASES: readonly Case[] = [
  {
    name: 'a character that starts no token',
    src: 'block A {\n  fn () { return 1 $ }\n}\n',
    code: 'DSL0001',
    at: [2, 20],
    message: /unexpected character '\$'/,
  },
  { name: 'an unclosed parameter list', src: 'block A(x: int {\n}\n', code: 'DSL0003', at: [1, 16], message: /expected '\)' but found '\{'/ },
  { name: 'a statement at the top level', src: 'import "std/nn"\nx = 3\n', code: 'DSL0002', at: [2, 1], message: /expected a declaration/ },
  { name: 'a bad escape in a string', src: 'import "std\\qnn"\n', code: 'DSL0004', at: [1, 8], message: /malformed string literal/ },
  { name: 'an empty index item', src: model('    return x[0,,1]'), code: 'DSL0005', at: [5, 16], message: /empty index item/ },
  {
    name: 'a misspelled variable',
    src: model('    h = x * 2\n    return hh'),
    code: 'DSL0101',
    at: [6, 12],
    message: /unknown name 'hh'/,
    hint: /did you mean 'h'\?/,
  },
  {
    name: 'a misspelled block name',
    src: model('    return fc(x)', '  fc = Linaer(4, 4)'),
    code: 'DSL0101',
    at: [3, 8],
    message: /unknown name 'Linaer'/,
    hint: /did you mean 'Linear'\?/,
  },
  {
    name: 'a misspelled compile-time dim',
    src: 'import "std/nn"\nblock A(cin: int) {\n  fn (x: f32[B, cinn]) -> f32[B, cin] { return x }\n}\n',
    code: 'DSL0101',
    at: [3, 17],
    message: /unknown name 'cinn'/,
    hint: /did you mean 'cin'\?/,
  },
  {
    name: 'a block declared twice',
    src: 'block A {\n  fn (x: f32[2]) { return x }\n}\nblock A {\n  fn (x: f32[2]) { return x }\n}\n',
    code: 'DSL0102',
    at: [4, 7],
    message: /'A' is declared twice/,
  },
  {
    name: 'an import that names no file',
    src: 'import "std/nnn"\n',
    code: 'DSL0103',
    at: [1, 1],
    message: /cannot find module 'std\/nnn'/,
    hint: /std\/nn/,
  },
  {
    name: 'an import path without ./ or std/',
    src: 'import "other.dn"\n',
    code: 'DSL0103',
    at: [1, 1],
    message: /must start with \.\/, \.\.\/ or std\//,
  },
  {
    name: 'files that import each other',
    src: 'import "./a.dn"\n',
    code: 'DSL0104',
    at: [1, 1],
    message: /import cycle: 'a\.dn'/,
    file: 'b.dn',
    files: { 'a.dn': 'import "./b.dn"\n', 'b.dn': 'import "./a.dn"\n' },
  },
  {
    name: 'a name exported by two imports',
    src: 'import "./a.dn"\nimport "./b.dn"\nmodel M {\n  p = P\n  fn (x: f32[B], t: f32[B]) { return p(x) }\n}\n',
    code: 'DSL0105',
    at: [4, 7],
    message: /'P' is exported by more than one import/,
    files: { 'a.dn': 'block P {\n  fn (x: f32[B]) { return x }\n}\n', 'b.dn': 'block P {\n  fn (x: f32[B]) { return x }\n}\n' },
  },
  {
    name: 'a misspelled member',
    src: model('    return fc(x) + fc.wieght[0, 0]', '  fc = Linear(4, 4)'),
    code: 'DSL0106',
    at: [5, 20],
    message: /has no member 'wieght'/,
    hint: /did you mean 'weight'\?/,
  },
  {
    name: 'a member used before its declaration',
    src: model('    return b(x)', '  a = b\n  b = Linear(4, 4)'),
    code: 'DSL0107',
    at: [3, 7],
    message: /member 'b' is used before it is declared/,
  },
  {
    name: 'a block without fn',
    src: 'block A(n: int) {\n  m = n * 2\n}\n',
    code: 'DSL0201',
    at: [1, 7],
    message: /must declare exactly one forward fn, found 0/,
  },
  {
    name: 'an unknown dtype',
    src: 'block A {\n  fn (x: f31[B]) { return x }\n}\n',
    code: 'DSL0202',
    at: [2, 10],
    message: /unknown dtype 'f31'/,
    hint: /did you mean 'f32'\?/,
  },
  {
    name: 'an unknown parameter type',
    src: 'block A(n: innt) {\n  fn (x: f32[B]) { return x }\n}\n',
    code: 'DSL0202',
    at: [1, 12],
    message: /unknown type 'innt'/,
    hint: /did you mean 'int'\?/,
  },
  {
    name: 'a fn parameter that is not a tensor',
    src: 'block A {\n  fn (x: int) { return x }\n}\n',
    code: 'DSL0203',
    at: [2, 10],
    message: /must have a tensor type/,
  },
  {
    name: 'a misplaced ...',
    src: 'block A {\n  fn (x: f32[B, ...]) { return x }\n}\n',
    code: 'DSL0203',
    at: [2, 17],
    message: /'\.\.\.' may only stand first/,
  },
  {
    name: 'a fn without return',
    src: 'block A {\n  fn (x: f32[B]) {\n    y = x\n  }\n}\n',
    code: 'DSL0204',
    at: [3, 5],
    message: /fn must end with a return statement/,
  },
  {
    name: 'statements after return',
    src: 'block A {\n  fn (x: f32[B]) {\n    return x\n    return x\n  }\n}\n',
    code: 'DSL0205',
    at: [3, 5],
    message: /return must be the last statement/,
  },
  {
    name: 'a model parameter without default',
    src: 'model M(ch: int) {\n  fn (x: f32[B], t: f32[B]) { return x }\n}\n',
    code: 'DSL0206',
    at: [1, 9],
    message: /model parameter 'ch' needs a default value/,
  },
  {
    name: 'a block that instantiates itself',
    src: 'block A {\n  inner = A\n  fn (x: f32[B]) { return x }\n}\nmodel M {\n  a = A\n  fn (x: f32[B], t: f32[B]) { return a(x) }\n}\n',
    code: 'DSL0207',
    at: [2, 11],
    message: /block A instantiates itself/,
  },
  {
    name: 'too many arguments',
    src: model('    return fc(x)', '  fc = Linear(4, 4, true, 5)'),
    code: 'DSL0301',
    at: [3, 27],
    message: /Linear takes 3 argument\(s\), got more/,
  },
  {
    name: 'an unknown named argument',
    src: model('    return c(x)', '  c = Linear(4, 4, biass: false)'),
    code: 'DSL0302',
    at: [3, 20],
    message: /Linear has no parameter 'biass'/,
    hint: /did you mean 'bias'\?/,
  },
  {
    name: 'a missing argument',
    src: model('    return c(x)', '  c = Linear(4)'),
    code: 'DSL0303',
    at: [3, 7],
    message: /Linear is missing argument 'cout'/,
  },
  {
    name: 'an argument given twice',
    src: model('    return c(x)', '  c = Linear(4, 4, cin: 4)'),
    code: 'DSL0304',
    at: [3, 20],
    message: /argument 'cin' is given twice/,
  },
  {
    name: 'an argument of the wrong kind',
    src: model('    return c(x)', '  c = Linear(4.5, 4)'),
    code: 'DSL0305',
    at: [3, 14],
    message: /Linear argument 'cin' must be an int, got float 4\.5/,
  },
  { name: 'a call of a number', src: model('    return 3(x)'), code: 'DSL0306', at: [5, 12], message: /int 3 is not callable/ },
  {
    name: 'a tensor where a compile-time value is needed',
    src: model('    return reshape(x, [x, 4])'),
    code: 'DSL0307',
    at: [5, 23],
    message: /must be known at compile time, but it is a tensor/,
  },
  {
    name: 'an operator tensors do not support',
    src: model('    return where(x <= x, x, x)'),
    code: 'DSL0308',
    at: [5, 18],
    message: /operator '<=' does not apply to tensors/,
    hint: /<, > and ==/,
  },
  {
    name: 'a list index out of range',
    src: model('    return fcs[3](x)', '  fcs = [Linear(4, 4) for i in 0 .. 3]'),
    code: 'DSL0309',
    at: [5, 16],
    message: /index 3 is out of range for a list of 3/,
  },
  { name: 'too many tensor indices', src: model('    return x[0, 0, 0]'), code: 'DSL0310', at: [5, 12], message: /3 indices for a tensor of rank 2/ },
  { name: 'a compile-time division by zero', src: model('    return x', '  n = 4 // 0'), code: 'DSL0311', at: [3, 7], message: /division by zero/ },
  {
    name: 'a member condition that is not a bool',
    src: model('    return x', '  c = if 3 then Linear(4, 4) else Identity'),
    code: 'DSL0312',
    at: [3, 10],
    message: /condition must be a compile-time bool, got int 3/,
  },
  {
    name: 'unpacking the wrong number of values',
    src: model('    a, b = x\n    return a'),
    code: 'DSL0313',
    at: [5, 5],
    message: /cannot unpack tensor f32\[B,4\] into 2 names/,
  },
  {
    name: 'a bad param declaration',
    src: model('    return x + w', '  w = param([0, 4])'),
    code: 'DSL0315',
    at: [3, 13],
    message: /param dimensions must be >= 1/,
  },
  {
    name: 'a module created in fn',
    src: model('    return Linear(4, 4)(x)'),
    code: 'DSL0316',
    at: [5, 12],
    message: /can only be instantiated in a member declaration/,
  },
  {
    name: 'a shape mismatch at a call',
    src: model('    return a(x)', '  a = A(8)').replace(
      'model M',
      'block A(cin: int) {\n  fn (x: f32[B, cin]) -> f32[B, cin] { return x }\n}\nmodel M',
    ),
    code: 'DSL0401',
    at: [8, 14],
    message: /argument 'x' of A 'a': expected f32\[B,8\], got f32\[B,4\] \(dim 1 is 4, expected 8\)/,
  },
  {
    name: 'a dtype mismatch at a call',
    src: model('    return e(x)', '  e = Embedding(10, 4)'),
    code: 'DSL0402',
    at: [5, 12],
    message: /Embedding 'e' expects i32 ids, got f32\[B,4\]/,
  },
  {
    name: 'a return that does not fit the signature',
    src: model('    return concat([x, x], axis: 1)'),
    code: 'DSL0403',
    at: [5, 5],
    message: /returns f32\[B,8\] but the signature declares f32\[B,4\]/,
  },
  {
    name: 'an unbound result dim',
    src: model('    return x', '', '(x: f32[B, 4], t: f32[B]) -> f32[B, K]'),
    code: 'DSL0404',
    at: [4, 35],
    message: /dimension K of the result is not bound/,
  },
  {
    name: 'arithmetic on a symbolic dim',
    src: model('    return reshape(x, [B * 2, -1])'),
    code: 'DSL0405',
    at: [5, 24],
    message: /dimension B is symbolic/,
    hint: /use -1 in reshape/,
  },
  {
    name: 'a reshape that cannot fit',
    src: model('    return reshape(x, [3, -1])'),
    code: 'DSL0406',
    at: [5, 12],
    message: /cannot reshape f32\[B,4\] to \[3,-1\]|cannot reshape \[B,4\] to \[3,-1\]/,
  },
  {
    name: 'an axis outside the rank',
    src: model('    return softmax(x, axis: 2)'),
    code: 'DSL0407',
    at: [5, 23],
    message: /axis 2 is out of range for rank 2/,
  },
  {
    name: 'noise in a model',
    src: model('    return x + randn([4])'),
    code: 'DSL0501',
    at: [5, 16],
    message: /randn .* can only be used in a sampler/,
  },
  {
    name: 'a sampling loop over strings',
    src: 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x }\n}\nsampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for i in ["a"] {\n    x = model(x, 1)\n  }\n  return x\n}\nsampler z = s(M)\n',
    code: 'DSL0502',
    at: [6, 12],
    message: /a sampling loop runs over a range or a list of numbers/,
  },
  {
    name: 'a carried value that changes type in the loop',
    src: 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x }\n}\nsampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for i in 0 .. 4 {\n    x = concat([x, x], axis: 1)\n  }\n  return x\n}\nsampler z = s(M)\n',
    code: 'DSL0502',
    at: [6, 3],
    message: /loop-carried 'x' changes type from f32\[B,2\] to f32\[B,4\]/,
  },
  {
    name: 'an if statement on the step index',
    src: 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x }\n}\nsampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for i in 0 .. 4 {\n    if i > 2 {\n      x = model(x, i)\n    }\n  }\n  return x\n}\nsampler z = s(M)\n',
    code: 'DSL0503',
    at: [7, 8],
    message: /depends on the step index/,
    hint: /if-expression/,
  },
  {
    name: 'a sampler without a Model parameter',
    src: 'sampler s(steps: int) {\n  return steps\n}\n',
    code: 'DSL0504',
    at: [1, 11],
    message: /must take a Model as its first parameter/,
  },
  {
    name: 'a sampler instance of a block',
    src: 'block A {\n  fn (x: f32[B]) { return x }\n}\nsampler z = A(A)\n',
    code: 'DSL0504',
    at: [4, 13],
    message: /block A is not a sampler/,
  },
  {
    name: 'a model call with the wrong inputs',
    src: 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x }\n}\nsampler s(model: Model) {\n  x = randn(model.sample_shape)\n  return model(x, 1, 2)\n}\nsampler z = s(M)\n',
    code: 'DSL0505',
    at: [6, 10],
    message: /model M takes 2 inputs \(x, t\), got 3/,
  },
  { name: 'an IR type rule, reported at the DSL span', src: model('    return matmul(x, x)'), code: 'IR0001', at: [5, 12], message: /matmul/ },
  { name: 'a broadcast that cannot work', src: model('    return x + concat([x, x], axis: 1)'), code: 'IR0001', at: [5, 12], message: /broadcast/ },
];

describe('diagnostics for malformed programs', () => {
  it('covers at least 30 cases and every code it uses is documented', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    const documented = Object.keys(DSL_CODE_DESCRIPTIONS);
    for (const c of CASES) if (c.code.startsWith('DSL')) expect(documented).toContain(c.code);
  });

  for (const c of CASES) {
    it(`reports ${c.code} for ${c.name}`, () => {
      const diags = diagnose(c.src, c.files);
      const text = formatAll(diags);
      const hit = diags.find((d) => d.code === c.code && d.severity === 'error');
      expect(hit, text).toBeDefined();
      expect([hit!.span?.line, hit!.span?.col], text).toEqual([...c.at]);
      expect(hit!.message).toMatch(c.message);
      if (c.hint) expect(hit!.hint ?? '').toMatch(c.hint);
      expect(text).toContain(`${c.file ?? 'main.dn'}:${c.at[0]}:${c.at[1]}: error ${c.code}:`);
      expect(text).not.toMatch(/\n\s+at .+:\d+:\d+\)?$/m);
      expect(text).not.toMatch(/TypeError|ReferenceError|DSL0999/);
    });
  }
});

describe('diagnostic output', () => {
  it('prints file:line:col, the code, the message and a code frame with a caret', () => {
    const [d] = diagnose(model('    h = x * 2\n    return hh'));
    expect(formatAll([d])).toBe(
      ["main.dn:6:12: error DSL0101: unknown name 'hh'", ' 6 |     return hh', '   |            ^^', "  hint: did you mean 'h'?"].join('\n'),
    );
  });

  it('reports several syntax errors in one run', () => {
    const diags = diagnose('block A(x: int {\n}\nblock B {\n  fn (x: f32[B]) { return (x + }\n}\n');
    expect(diags.filter((d) => d.code.startsWith('DSL000')).length).toBeGreaterThanOrEqual(2);
    expect(diags.map((d) => d.span?.line)).toEqual(expect.arrayContaining([1, 4]));
  });

  it('reports independent semantic errors of one file together', () => {
    const src =
      'import "std/nn"\nmodel M {\n  a = Linear(4, 4, bais: true)\n  b = Conv2d(1, 2, k: 2.5)\n  fn (x: f32[B, 4], t: f32[B]) { return x }\n}\n';
    const codes = diagnose(src).map((d) => `${d.code}@${d.span?.line}`);
    expect(codes).toEqual(['DSL0302@3', 'DSL0305@4']);
  });

  it('reports a mistake inside a block once, although the block is used three times', () => {
    const src =
      'import "std/nn"\nblock A {\n  fn (x: f32[B, 4]) -> f32[B, 4] { return x + qq }\n}\nmodel M {\n  a = [A for i in 0 .. 3]\n  fn (x: f32[B, 4], t: f32[B]) { return a[2](a[1](a[0](x))) }\n}\n';
    expect(diagnose(src).map((d) => d.code)).toEqual(['DSL0101']);
  });

  it('names the call site of a block whose body fails', () => {
    const src =
      'import "std/nn"\nblock A(n: int) {\n  fn (x: f32[B, 4]) -> f32[B, 4] { return x + reshape(x, [n, -1]) }\n}\nmodel M {\n  a = A(3)\n  fn (x: f32[B, 4], t: f32[B]) { return a(x) }\n}\n';
    const [d] = diagnose(src);
    expect(d.code).toBe('DSL0406');
    expect(d.span?.line).toBe(3);
    expect(d.hint).toBe("in A 'a', called at main.dn:7:41");
  });

  it('adds a note at the declaration to a signature mismatch', () => {
    const src =
      'import "std/nn"\nblock A(cin: int) {\n  fn (x: f32[B, cin]) -> f32[B, cin] { return x }\n}\nmodel M {\n  a = A(8)\n  fn (x: f32[B, 4], t: f32[B]) { return a(x) }\n}\n';
    const diags = diagnose(src);
    expect(diags.map((d) => `${d.severity} ${d.code} ${d.span?.line}:${d.span?.col}`)).toEqual(['error DSL0401 7:43', 'note DSL0000 3:10']);
  });
});

describe('robustness', () => {
  it('never fails internally on 300 randomly damaged copies of the examples', () => {
    let state = 20251123;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const pieces = [
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      ',',
      ':',
      '=',
      '\n',
      'x',
      '0',
      '-1',
      '..',
      '...',
      'None',
      'if',
      'for',
      'return',
      '"',
      'B',
      '2.5',
      '@',
      'fn',
      'model',
      ';',
    ];
    const sources = ['mlp2d', 'unet_small', 'dit_tiny'].map((f) => readFileSync(`examples/${f}.dn`, 'utf8'));
    for (let k = 0; k < 300; k++) {
      let src = sources[k % sources.length];
      const at = rand(src.length);
      src = rand(2) ? src.slice(0, at) + src.slice(at + 1 + rand(4)) : src.slice(0, at) + pieces[rand(pieces.length)] + src.slice(at);
      const diags = checkSource(src, 'damaged.dn');
      for (const d of diags) {
        expect(d.code, src).not.toBe('DSL0999');
        expect(d.span, `${d.code} ${d.message}`).toBeDefined();
      }
    }
  });
});
