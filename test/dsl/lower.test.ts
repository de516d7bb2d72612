/**
 * Lowering to IR: printed IR of tiny blocks compared with text written by hand, parameter paths
 * and init specs, and the sampling loop (carried values, captures, per-step tables whose values
 * are recomputed here from the formulas).
 */
import { describe, expect, it } from 'vitest';
import { allNodesDeep, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { compileSource } from '../../dsl/index.ts';
import { compile } from './helpers.ts';

const model = (members: string, sig: string, body: string): string => `import "std/nn"\nmodel M {\n${members}\n  fn ${sig} {\n${body}\n  }\n}\n`;

function modelGraph(src: string): Graph {
  return compile(src).models[0].graph;
}

const text = (lines: readonly string[]): string => lines.join('\n') + '\n';

describe('model graphs', () => {
  it('lowers a Linear, an activation and a scalar to the expected IR', () => {
    const g = modelGraph(model('  fc = Linear(3, 4)', '(x: f32[B, 3], t: f32[B]) -> f32[B, 4]', '    return silu(fc(x)) * 2'));
    expect(printGraph(g)).toBe(
      text([
        'graph @M(%x: f32[B,3], %t: f32[B]) {',
        '  %0 = weight {path="fc.weight"} : f32[3,4]',
        '  %1 = matmul(%x, %0) {transposeA=false, transposeB=false} : f32[B,4]',
        '  %2 = weight {path="fc.bias"} : f32[4]',
        '  %3 = add(%1, %2) : f32[B,4]',
        '  %4 = silu(%3) : f32[B,4]',
        '  %5 = constant {data=dense<[2]>} : f32[]',
        '  %6 = mul(%4, %5) : f32[B,4]',
        '  return %6',
        '}',
      ]),
    );
  });

  it('lowers indexing to one slice and one reshape, keeping the symbolic axis whole', () => {
    const g = modelGraph(model('', '(x: f32[B, 4], t: f32[B]) -> f32[B, 2, 1]', '    return x[:, 1:3, None]'));
    expect(printGraph(g)).toBe(
      text([
        'graph @M(%x: f32[B,4], %t: f32[B]) {',
        '  %0 = slice(%x) {begin=[0, 1], end=[2147483647, 3], step=[1, 1]} : f32[B,2]',
        '  %1 = reshape(%0) {shape=["B", 2, 1]} : f32[B,2,1]',
        '  return %1',
        '}',
      ]),
    );
  });

  it('drops an integer-indexed axis and gathers with a tensor index', () => {
    const g = modelGraph(model('  e = Embedding(5, 3)', '(x: f32[B, 2, 3], t: f32[B], y: i32[B]) -> f32[B, 3]', '    return x[:, -1] + e.weight[y]'));
    expect(printGraph(g)).toBe(
      text([
        'graph @M(%x: f32[B,2,3], %t: f32[B], %y: i32[B]) {',
        '  %0 = slice(%x) {begin=[0, 1, 0], end=[2147483647, 2, 2147483647], step=[1, 1, 1]} : f32[B,1,3]',
        '  %1 = reshape(%0) {shape=["B", 3]} : f32[B,3]',
        '  %2 = weight {path="e.weight"} : f32[5,3]',
        '  %3 = gather(%2, %y) {axis=0} : f32[B,3]',
        '  %4 = add(%1, %3) : f32[B,3]',
        '  return %4',
        '}',
      ]),
    );
  });

  it('infers -1 in reshape from the element count, symbolic dims included', () => {
    const g = modelGraph(model('', '(x: f32[B, 4, 6], t: f32[B]) -> f32[B, 2, 12]', '    return reshape(x, [-1, 2, 12])'));
    expect(printGraph(g)).toContain('reshape(%x) {shape=["B", 2, 12]} : f32[B,2,12]');
    const h = modelGraph(model('', '(x: f32[B, 4, 6], t: f32[B]) -> f32[B, 24]', '    return reshape(x, [B, -1])'));
    expect(printGraph(h)).toContain('reshape(%x) {shape=["B", 24]} : f32[B,24]');
  });

  it('binds signature dims in the body and computes with them', () => {
    const src =
      'import "std/nn"\nblock Flat {\n  fn (x: f32[B, C, H, W]) -> f32[B, H * W, C] {\n    return transpose(reshape(x, [B, C, H * W]), [0, 2, 1])\n  }\n}\n' +
      'model M {\n  f = Flat\n  fn (x: f32[B, 3, 4, 5], t: f32[B]) -> f32[B, 20, 3] { return f(x) }\n}\n';
    expect(printGraph(modelGraph(src))).toBe(
      text([
        'graph @M(%x: f32[B,3,4,5], %t: f32[B]) {',
        '  %0 = reshape(%x) {shape=["B", 3, 20]} : f32[B,3,20]',
        '  %1 = transpose(%0) {perm=[0, 2, 1]} : f32[B,20,3]',
        '  return %1',
        '}',
      ]),
    );
  });

  it('returns several outputs from a tuple return', () => {
    const g = modelGraph(model('', '(x: f32[B, 2], t: f32[B]) -> (f32[B, 2], f32[B])', '    return -x, t'));
    expect(g.outputs.map((o) => o.op)).toEqual(['neg', 'param']);
  });

  it('unrolls compile-time loops over module lists and ranges', () => {
    const src = model(
      '  fcs = [Linear(2, 2, bias: false) for i in 0 .. 3]',
      '(x: f32[B, 2], t: f32[B]) -> f32[B, 2]',
      '    for f in fcs {\n      x = f(x)\n    }\n    for k in 1 .. 3 {\n      x = x * k\n    }\n    return x',
    );
    const ops = allNodesDeep(modelGraph(src)).filter((n) => n.op === 'matmul' || n.op === 'mul');
    expect(ops.map((n) => n.op)).toEqual(['matmul', 'matmul', 'matmul', 'mul', 'mul']);
    const weights = allNodesDeep(modelGraph(src))
      .filter((n) => n.op === 'weight')
      .map((n) => n.attrs.path);
    expect(weights).toEqual(['fcs.0.weight', 'fcs.1.weight', 'fcs.2.weight']);
  });
});

describe('parameters', () => {
  const src = [
    'import "std/nn"',
    'block Pair(cin: int, cout: int) {',
    '  a = Linear(cin, cout)',
    '  skip = if cin != cout then Conv2d(cin, cout, k: 1, bias: false) else Identity',
    '  fn (x: f32[B, cin]) -> f32[B, cout] { return a(x) }',
    '}',
    'model M {',
    '  blocks = [Pair(4, 4), Pair(4, 6)]',
    '  norm = GroupNorm(2, 6)',
    '  pos = param([1, 6], init: zeros)',
    '  emb = Embedding(3, 6)',
    '  fn (x: f32[B, 4], t: f32[B]) -> f32[B, 6] { return blocks[1](blocks[0](x)) + pos }',
    '}',
  ].join('\n');

  it('names parameters by dotted path, indexing lists by number, with their init specs', () => {
    const params = compile(src).models[0].parameters.map((p) => [p.path, p.type.shape.join('x'), p.init.kind, p.init.scale]);
    expect(params).toEqual([
      ['blocks.0.a.weight', '4x4', 'uniform', 1 / Math.sqrt(4)],
      ['blocks.0.a.bias', '4', 'zeros', undefined],
      ['blocks.1.a.weight', '4x6', 'uniform', 1 / Math.sqrt(4)],
      ['blocks.1.a.bias', '6', 'zeros', undefined],
      ['blocks.1.skip.weight', '6x4x1x1', 'uniform', 1 / Math.sqrt(4 * 1 * 1)],
      ['norm.weight', '6', 'ones', undefined],
      ['norm.bias', '6', 'zeros', undefined],
      ['pos', '1x6', 'zeros', undefined],
      ['emb.weight', '3x6', 'normal', 1],
    ]);
  });

  it('creates weight nodes only for parameters the forward fn uses', () => {
    const paths = allNodesDeep(compile(src).models[0].graph)
      .filter((n) => n.op === 'weight')
      .map((n) => n.attrs.path)
      .sort();
    expect(paths).toEqual(['blocks.0.a.bias', 'blocks.0.a.weight', 'blocks.1.a.bias', 'blocks.1.a.weight', 'pos']);
  });
});

/** The loop node of a sampler graph and its body. */
function loopOf(g: Graph): { loop: Node; body: Graph } {
  const loop = allNodesDeep(g).find((n) => n.op === 'loop')!;
  return { loop, body: loop.regions[0] };
}

const constants = (g: Graph): number[][] =>
  allNodesDeep(g)
    .filter((n) => n.op === 'constant')
    .map((n) => Array.from(n.attrs.data as Float32Array));

describe('samplers', () => {
  const toy = 'model Half {\n  fn (x: f32[B, 2], t: f32[B], y: i32[B]) -> f32[B, 2] { return x * 0.5 }\n}\n';

  it('lowers a sampling loop with carried x, captured conditioning and a step table', () => {
    const src =
      toy +
      'sampler halve(model: Model, steps: int = 3) {\n  x = randn(model.sample_shape)\n  for i in 0 .. steps {\n    x = model(x, i) + 1.0 * i\n  }\n  return x\n}\nsampler h = halve(Half)\n';
    const s = compile(src).samplers[0];
    expect([s.name, s.modelName, s.steps]).toEqual(['h', 'Half', 3]);
    expect(printGraph(s.graph)).toBe(
      text([
        'graph @h(%seed: i32[], %y: i32[B]) {',
        '  %0 = randn(%seed) {shape=["B", 2], dtype="f32", stream=0} : f32[B,2]',
        '  %1 = loop(%0, %y) {count=3, carried=1} : (f32[B,2])',
        '    body(%iter: i32[], %carried0: f32[B,2], %capture0: i32[B]) {',
        '      %2 = constant {data=dense<[0.5]>} : f32[]',
        '      %3 = mul(%carried0, %2) : f32[B,2]',
        '      %4 = constant {data=dense<[0, 1, 2]>} : f32[3]',
        '      %5 = gather(%4, %iter) {axis=0} : f32[]',
        '      %6 = add(%3, %5) : f32[B,2]',
        '      yield %6',
        '    }',
        '  %7 = tuple_get(%1) {index=0} : f32[B,2]',
        '  return %7',
        '}',
      ]),
    );
  });

  it('collapses a per-step value that is the same at every step to a scalar', () => {
    const src =
      toy +
      'sampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for i in 0 .. 4 {\n    x = x * (i * 0 + 3)\n  }\n  return x\n}\nsampler z = s(Half)\n';
    const { body } = loopOf(compile(src).samplers[0].graph);
    expect(constants(body)).toEqual([[3]]);
    expect(allNodesDeep(body).some((n) => n.op === 'gather')).toBe(false);
  });

  it('iterates a sampling loop over a compile-time list', () => {
    const src =
      toy +
      'sampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for t in [7, 5, 2] {\n    x = x - t\n  }\n  return x\n}\nsampler z = s(Half)\n';
    const { loop, body } = loopOf(compile(src).samplers[0].graph);
    expect(loop.attrs.count).toBe(3);
    expect(constants(body)).toEqual([[7, 5, 2]]);
  });

  it('selects tensors per step with a step-dependent if-expression', () => {
    const src =
      toy +
      'sampler s(model: Model) {\n  x = randn(model.sample_shape)\n  for i in 0 .. 3 {\n    x = if i < 2 then x * 2 else x\n  }\n  return x\n}\nsampler z = s(Half)\n';
    const { body } = loopOf(compile(src).samplers[0].graph);
    const where = allNodesDeep(body).find((n) => n.op === 'where')!;
    expect(where).toBeDefined();
    const cond = where.inputs[0];
    expect([cond.op, cond.inputs[0].op]).toEqual(['cast', 'gather']);
    expect(Array.from(cond.inputs[0].inputs[0].attrs.data as Int32Array)).toEqual([1, 1, 0]);
  });

  it('draws noise only where the compile-time condition asks, with a fresh stream and offset = step', () => {
    const src = (eta: number) =>
      toy +
      `sampler s(model: Model, eta: float = ${eta}) {\n  x = randn(model.sample_shape)\n  for i in 0 .. 2 {\n    x = model(x, i)\n    if eta > 0 {\n      x = x + eta * randn(model.sample_shape)\n    }\n  }\n  return x\n}\nsampler z = s(Half)\n`;
    const noise = (eta: number) => allNodesDeep(compile(src(eta)).samplers[0].graph).filter((n) => n.op === 'randn');
    expect(noise(0).length).toBe(1);
    const [outer, inner] = noise(0.5);
    expect([outer.attrs.stream, outer.inputs.length]).toEqual([0, 1]);
    expect([inner.attrs.stream, inner.inputs.length, inner.inputs[1].attrs.name]).toEqual([1, 2, 'iter']);
  });

  it('tabulates the DDIM coefficients of std/samplers at compile time', () => {
    // DDPM linear betas, alpha_bar as a running product, trailing spacing (Lin et al. 2023).
    const T = 1000,
      steps = 4;
    const abar: number[] = [];
    let prod = 1;
    for (let t = 0; t < T; t++) {
      prod *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / (T - 1));
      abar.push(prod);
    }
    const ts = Array.from({ length: steps }, (_, k) => Math.round(T - (k * T) / steps) - 1);
    expect(ts).toEqual([999, 749, 499, 249]);
    const at = ts.map((t) => abar[t]);
    const as = ts.map((_, k) => (k + 1 < steps ? abar[ts[k + 1]] : 1));
    const expected = [at.map((a) => Math.sqrt(1 - a)), at.map((a) => Math.sqrt(a)), as.map((a) => Math.sqrt(a)), as.map((a) => Math.sqrt(1 - a)), ts];
    const timed = 'model Lin {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.5 + t[:, None] }\n}\n';
    const src = 'import "std/samplers"\n' + timed + 'sampler z = ddim(Lin, steps: 4)\n';
    const tables = constants(loopOf(compile(src).samplers[0].graph).body).filter((c) => c.length === steps);
    expect(tables.length).toBe(expected.length);
    for (const want of expected) {
      const match = tables.find((c) => c.every((v, k) => Math.abs(v - want[k]) <= 1e-6 * Math.max(1, Math.abs(want[k]))));
      expect(match, `table ${want.join(', ')}`).toBeDefined();
    }
  });
});

describe('artifacts carry what their users need', () => {
  const tiny = (samplers: string): string =>
    `import "std/nn"\nimport "std/samplers"\n` +
    `model Tiny(null_class: int = 3) {\n  embed = TimestepEmbedder(8, 8)\n  lin = Linear(2, 8)\n  out = Linear(8, 2)\n` +
    `  fn (x: f32[B, 2], t: f32[B], y: i32[B]) -> f32[B, 2] { return out(silu(lin(x) + embed(t))) }\n}\n${samplers}\n`;

  it("gives each sampler its model's parameters and the training meaning its plan resolved", () => {
    const p = compileSource(
      tiny(
        'sampler a = ddim(Tiny, steps: 4)\nsampler b = ddim(Tiny, steps: 4, prediction: "v", schedule: "cosine", zero_snr: true, spacing: "trailing")',
      ),
      'tiny.dn',
    );
    const [model] = p.models;
    const [a, b] = p.samplers;
    expect(a.parameters.map((s) => s.path)).toEqual(model.parameters.map((s) => s.path));
    expect(a.parameters.map((s) => s.type.shape)).toEqual(model.parameters.map((s) => s.type.shape));
    expect(a.training).toEqual({ prediction: 'eps', schedule: 'linear', T: 1000, zeroSnr: false, nullClass: 3 });
    expect(b.training).toEqual({ prediction: 'v', schedule: 'cosine', T: 1000, zeroSnr: true, nullClass: 3 });
    expect(model.training).toEqual({ prediction: 'eps', schedule: 'linear', T: 1000, zeroSnr: false, nullClass: 3 });
  });
});
