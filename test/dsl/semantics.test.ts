/**
 * Semantics checked through lowering: signature unification (pattern variables, `...`), compile-
 * time arithmetic and list operations, conditional structure, operators on tensors, model calls
 * in samplers (scalar timesteps broadcast, conditioning passed on), and `-1` inference in reshape.
 */
import { describe, expect, it } from 'vitest';
import { allNodesDeep, type Graph } from '../../compiler/core/ir/node.ts';
import { formatType } from '../../compiler/core/ir/types.ts';
import { inferReshape } from '../../dsl/builtins/tensor.ts';
import { compile, errors } from './helpers.ts';

const SPAN = { file: 't.dn', line: 1, col: 1 };
const ops = (g: Graph): string[] => allNodesDeep(g).map((n) => n.op);
const model = (members: string, sig: string, body: string): string => `import "std/nn"\nmodel M {\n${members}\n  fn ${sig} {\n${body}\n  }\n}\n`;

describe('signatures', () => {
  it('matches leading dims with ..., so one MLP serves [B, D] and [B, N, D]', () => {
    const src = model(
      '  mlp = MLP(4, 8)',
      '(x: f32[B, 4], t: f32[B]) -> f32[B, 4]',
      '    tokens = reshape(x, [B, 1, 4])\n    return mlp(x) + reshape(mlp(tokens), [B, 4])',
    );
    const mm = allNodesDeep(compile(src).models[0].graph)
      .filter((n) => n.op === 'matmul')
      .map((n) => formatType(n.type));
    expect(mm.sort()).toEqual(['f32[B,1,4]', 'f32[B,1,8]', 'f32[B,4]', 'f32[B,8]']);
  });

  it('requires ... to bind the same leading dims in every parameter', () => {
    const src =
      'block Add {\n  fn (a: f32[..., 2], b: f32[..., 2]) -> f32[..., 2] { return a + b }\n}\n' +
      model('  add = Add', '(x: f32[B, 3, 2], t: f32[B]) -> f32[B, 3, 2]', '    return add(x, x[:, 0])');
    const [e] = errors(src);
    expect(e.code).toBe('DSL0401');
    expect(e.message).toMatch(/rank 2, expected at least 1|leading dims \[B\] differ from \[B, 3\]/);
  });

  it('requires a pattern variable to have one value per call', () => {
    const src =
      'block Dot {\n  fn (a: f32[B, N], b: f32[B, N]) -> f32[B, N] { return a * b }\n}\n' +
      model('  dot = Dot', '(x: f32[B, 4], t: f32[B]) -> f32[B, 4]', '    return dot(x, x[:, 0:2])');
    const [e] = errors(src);
    expect(e.code).toBe('DSL0401');
    expect(e.message).toBe("argument 'b' of Dot 'dot': expected f32[B,4], got f32[B,2] (dim 1 is 2, expected 4)");
  });

  it('accepts a result type computed from the parameters dims', () => {
    const src =
      'block Pool {\n  fn (x: f32[B, C, H, W]) -> f32[B, C, H // 2, W // 2] { return avg_pool(x, 2) }\n}\n' +
      model('  p = Pool', '(x: f32[B, 3, 8, 6], t: f32[B]) -> f32[B, 3, 4, 3]', '    return p(x)');
    expect(ops(compile(src).models[0].graph)).toContain('avg_pool2d');
  });
});

describe('compile-time values', () => {
  const shapeOf = (dims: string): number[] =>
    compile(model(`  w = param([${dims}])`, '(x: f32[B], t: f32[B])', '    return x')).models[0].parameters[0].type.shape as number[];

  it('computes ints with exact division, floor division, modulo and powers', () => {
    expect(shapeOf('8 / 2, 7 // 2, -7 % 3, 2 ** 3, (1 + 2) * 3')).toEqual([4, 3, 2, 8, 9]);
  });

  it('computes with lists: concatenation, repetition, len, min, max, indexing, slicing', () => {
    expect(shapeOf('len([1, 2] + [3]), len([0] * 4), max(2, 5), min([4, 6]), [5, 6, 7][-1], len([1, 2, 3, 4][1:]), [9, 8, 7, 6][::2][1]')).toEqual([
      3, 4, 5, 4, 7, 3, 7,
    ]);
  });

  it('keeps a non-exact division a float, which a dimension rejects', () => {
    const [e] = errors(model('  w = param([7 / 2])', '(x: f32[B], t: f32[B])', '    return x'));
    expect([e.code, e.message]).toEqual(['DSL0305', 'a param dimension must be an int, got float 3.5']);
  });

  it('passes a schedule-table record back only where its kind is expected', () => {
    const [e] = errors(model('  s = zero_terminal_snr(levels_from_sigmas([2.0, 1.0]))', '(x: f32[B], t: f32[B])', '    return x'));
    expect([e.code, e.message]).toEqual([
      'DSL0305',
      "zero_terminal_snr: zero_terminal_snr argument 'schedule' must be a schedule record, got levels record",
    ]);
  });

  it('short-circuits and / or, and compares lists and strings', () => {
    expect(shapeOf('if false and 1 // 0 == 0 then 1 else 2, if [1, 2] == [1, 2] and "a" != "b" then 3 else 4')).toEqual([2, 3]);
  });

  it('chooses members with conditional structure at compile time', () => {
    const src = (cout: number) =>
      'import "std/nn"\nblock R(cin: int, cout: int) {\n  skip = if cin != cout then Linear(cin, cout, bias: false) else Identity\n' +
      '  fn (x: f32[B, cin]) -> f32[B, cout] { return skip(x) }\n}\n' +
      `model M {\n  r = R(4, ${cout})\n  fn (x: f32[B, 4], t: f32[B]) -> f32[B, ${cout}] { return r(x) }\n}\n`;
    const same = compile(src(4)).models[0];
    expect([same.parameters.length, same.graph.outputs[0].op]).toEqual([0, 'param']);
    const diff = compile(src(6)).models[0];
    expect([diff.parameters.map((p) => p.path), diff.graph.outputs[0].op]).toEqual([['r.skip.weight'], 'matmul']);
  });
});

describe('tensor expressions', () => {
  const body = (expr: string): string[] => ops(compile(model('', '(x: f32[B, 4], t: f32[B])', `    return ${expr}`)).models[0].graph);

  it('lowers ** 2 to square, ** 0.5 to sqrt and other powers to pow', () => {
    expect(body('x ** 2')).toContain('square');
    expect(body('x ** 0.5')).toContain('sqrt');
    expect(body('x ** 3')).toContain('pow');
  });

  it('lowers @ to matmul and comparisons to less / greater / equal', () => {
    expect(body('x @ reshape(x, [4, -1])')).toContain('matmul');
    expect(body('where(x < 0, -x, x)')).toEqual(expect.arrayContaining(['less', 'neg', 'where']));
    expect(body('where(x == 1, x, x * 0)')).toContain('equal');
  });

  it('computes math builtins on numbers at compile time and on tensors as ops', () => {
    const g = compile(model('', '(x: f32[B, 4], t: f32[B])', '    return x * sqrt(16) + exp(x)')).models[0].graph;
    const consts = allNodesDeep(g)
      .filter((n) => n.op === 'constant')
      .map((n) => (n.attrs.data as Float32Array)[0]);
    expect(consts).toEqual([4]);
    expect(ops(g)).toContain('exp');
  });

  it('reads a tensor shape at compile time', () => {
    const g = compile(model('', '(x: f32[B, 4, 6], t: f32[B])', '    return reshape(x, [x.shape[0], x.shape[2], x.shape[1]])')).models[0].graph;
    expect(formatType(g.outputs[0].type)).toBe('f32[B,6,4]');
  });
});

describe('model calls in samplers', () => {
  const src =
    'model C {\n  fn (x: f32[B, 2], t: f32[B], y: i32[B]) -> f32[B, 2] { return x + t[:, None] }\n}\n' +
    'sampler s(model: Model) {\n  x = randn(model.sample_shape)\n  return model(x, 5)\n}\nsampler z = s(C)\n';

  it('broadcasts a scalar timestep to the declared t and passes the conditioning on', () => {
    const g = compile(src).samplers[0].graph;
    expect(g.params.map((p) => `${p.attrs.name}: ${formatType(p.type)}`)).toEqual(['seed: i32[]', 'y: i32[B]']);
    const b = allNodesDeep(g).find((n) => n.op === 'broadcast_to')!;
    expect([formatType(b.type), (b.inputs[0].attrs.data as Float32Array)[0]]).toEqual(['f32[B]', 5]);
  });

  it('gives the conditioning inputs to the sampler for classifier-free guidance', () => {
    const cfg =
      'model C {\n  fn (x: f32[B, 2], t: f32[B], y: i32[B]) -> f32[B, 2] { return x * cast(y, "f32")[:, None] }\n}\n' +
      'sampler s(model: Model, w: float = 3.0) {\n  x = randn(model.sample_shape)\n  y = model.cond[0]\n  for i in 0 .. 2 {\n' +
      '    e_c = model(x, i)\n    e_u = model(x, i, full(y.shape, 10, dtype: "i32"))\n    x = x - (e_u + w * (e_c - e_u))\n  }\n  return x\n}\nsampler z = s(C)\n';
    const g = compile(cfg).samplers[0].graph;
    const loop = allNodesDeep(g).find((n) => n.op === 'loop')!;
    expect(loop.inputs.map((n) => n.op)).toEqual(['randn', 'param']);
    const casts = allNodesDeep(loop.regions[0]).filter((n) => n.op === 'cast');
    expect(casts.map((c) => c.inputs[0].op).sort()).toEqual(['broadcast_to', 'param']);
  });

  it('carries multistep history through the loop (DPM-Solver++ 2M)', () => {
    const src =
      'model E {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.1 }\n}\n' +
      'sampler dpm(model: Model, steps: int = 6) {\n  sched = vp_linear()\n  ts = spacing_trailing(sched.T, steps)\n' +
      '  lv = levels_from_timesteps(sched, ts)\n  c = dpm_solver_pp(lv, order: 2)\n  x = randn(model.sample_shape)\n  d_prev = zeros_like(x)\n' +
      '  for i in 0 .. steps {\n    d = (x - lv.sigma[i] * model(x, ts[i])) / lv.alpha[i]\n' +
      '    x = c.xt[i] * x + c.data[0][i] * d + c.data[1][i] * d_prev\n    d_prev = d\n  }\n  return x\n}\nsampler z = dpm(E)\n';
    const loop = allNodesDeep(compile(src).samplers[0].graph).find((n) => n.op === 'loop')!;
    expect([loop.attrs.count, loop.attrs.carried]).toEqual([6, 2]);
  });

  it('exposes the model sample shape with its symbolic batch', () => {
    const randn = allNodesDeep(compile(src).samplers[0].graph).find((n) => n.op === 'randn')!;
    expect(randn.attrs.shape).toEqual(['B', 2]);
  });
});

describe('reshape -1 inference', () => {
  it('solves a number from static dims', () => {
    expect(inferReshape([2, 3, 4], [4, -1], SPAN)).toEqual([4, 6]);
  });

  it('solves a symbol when the numbers cancel', () => {
    expect(inferReshape(['B', 3, 4], [-1, 12], SPAN)).toEqual(['B', 12]);
    expect(inferReshape(['B', 'N', 8], ['N', -1, 2, 4], SPAN)).toEqual(['N', 'B', 2, 4]);
  });

  it('rejects a -1 that would be a product with a symbol, or two -1s', () => {
    expect(() => inferReshape(['B', 4], [-1, 2], SPAN)).toThrow(/the -1 would have to be 2·B/);
    expect(() => inferReshape([4, 4], [-1, -1], SPAN)).toThrow(/more than one -1/);
    expect(() => inferReshape([4, 4], [3, -1], SPAN)).toThrow(/cannot reshape/);
  });
});
