/**
 * The example programs: each compiles to a model graph and a DDIM sampler graph with the
 * parameter count its architecture implies (counted here from layer formulas); the mlp2d model
 * computes what a plain-loop MLP written here computes; the DDIM sampler of std/samplers, run on the
 * reference executor, lands where the closed-form probability-flow ODE says it should.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { allNodesDeep, type Graph } from '../../compiler/core/ir/node.ts';
import { graphDiagnostics } from '../../compiler/core/ir/verify.ts';
import { formatType } from '../../compiler/core/ir/types.ts';
import { compileFile } from '../../dsl/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { compile } from './helpers.ts';

const linear = (i: number, o: number) => i * o + o;
const conv = (i: number, o: number, k: number) => i * o * k * k + o;
const temb = (dim: number, hidden: number) => linear(dim, hidden) + linear(hidden, hidden);

function paramCount(specs: readonly { type: { shape: readonly (number | string)[] } }[]): number {
  return specs.reduce((s, p) => s + p.type.shape.reduce<number>((a, d) => a * (d as number), 1), 0);
}

function sampler(g: Graph): { count: number; bodyWeights: number } {
  const loop = allNodesDeep(g).find((n) => n.op === 'loop')!;
  return { count: loop.attrs.count as number, bodyWeights: allNodesDeep(loop.regions[0]).filter((n) => n.op === 'weight').length };
}

describe('examples compile', () => {
  it('gives model and sampler graphs that pass the IR verifier', () => {
    for (const file of ['mlp2d', 'unet_small', 'dit_tiny']) {
      const p = compileFile(`examples/${file}.dn`);
      for (const a of [...p.models, ...p.samplers]) expect(graphDiagnostics(a.graph), `${file} ${a.name}`).toEqual([]);
    }
  });

  it('mlp2d: a 2-D point denoiser of about 75k parameters with a 50-step DDIM sampler', () => {
    const p = compileFile('examples/mlp2d.dn');
    const [m] = p.models;
    expect(m.graph.params.map((x) => `${x.attrs.name}: ${formatType(x.type)}`)).toEqual(['x: f32[B,2]', 't: f32[B]']);
    expect(m.graph.outputs.map((o) => formatType(o.type))).toEqual(['f32[B,2]']);
    expect(paramCount(m.parameters)).toBe(temb(64, 128) + linear(2, 128) + 3 * linear(128, 128) + linear(128, 2));
    expect(p.samplers.map((x) => [x.name, x.steps])).toEqual([
      ['ddim4', 4],
      ['ddim', 50],
    ]);
    const s = p.samplers.find((x) => x.name === 'ddim')!;
    expect([s.name, s.modelName, s.steps]).toEqual(['ddim', 'MLP2D', 50]);
    expect(s.graph.params.map((x) => x.attrs.name)).toEqual(['seed']);
    expect(sampler(s.graph)).toEqual({ count: 50, bodyWeights: m.parameters.length });
  });

  it('unet_small: a class-conditional UNet of 1-3M parameters, attention at 7×7', () => {
    const p = compileFile('examples/unet_small.dn');
    const [m] = p.models;
    const gn = (c: number) => 2 * c;
    const res = (cin: number, cout: number, e = 128) =>
      gn(cin) + conv(cin, cout, 3) + linear(e, cout) + gn(cout) + conv(cout, cout, 3) + (cin !== cout ? conv(cin, cout, 1) : 0);
    const attn = gn(128) + 4 * linear(128, 128);
    const expected =
      temb(64, 128) +
      11 * 128 +
      conv(1, 64, 3) +
      res(64, 64) +
      conv(64, 64, 3) +
      res(64, 128) +
      conv(128, 128, 3) +
      2 * res(128, 128) +
      attn +
      res(256, 128) +
      res(192, 64) +
      gn(64) +
      conv(64, 1, 3);
    const count = paramCount(m.parameters);
    expect(count).toBe(expected);
    expect(count).toBeGreaterThan(1e6);
    expect(count).toBeLessThan(3e6);
    expect(m.graph.params.map((x) => `${x.attrs.name}: ${formatType(x.type)}`)).toEqual(['x: f32[B,1,28,28]', 't: f32[B]', 'y: i32[B]']);
    const attention = allNodesDeep(m.graph).find((n) => n.op === 'attention')!;
    expect(formatType(attention.type)).toBe('f32[B,4,49,32]');
    const [s] = p.samplers;
    expect(s.graph.params.map((x) => `${x.attrs.name}: ${formatType(x.type)}`)).toEqual(['seed: i32[]', 'y: i32[B]']);
    expect(sampler(s.graph)).toEqual({ count: 20, bodyWeights: allNodesDeep(m.graph).filter((n) => n.op === 'weight').length });
  });

  it('dit_tiny: an adaLN-Zero transformer of about 1M parameters on 4×4 patches', () => {
    const p = compileFile('examples/dit_tiny.dn');
    const [m] = p.models;
    const D = 128;
    const block = 4 * linear(D, D) + linear(D, 4 * D) + linear(4 * D, D) + linear(D, 6 * D);
    const expected = conv(1, D, 4) + 49 * D + temb(D, D) + 11 * D + 3 * block + linear(D, 2 * D) + linear(D, 16);
    expect(paramCount(m.parameters)).toBe(expected);
    expect(paramCount(m.parameters)).toBeGreaterThan(0.8e6);
    const norms = allNodesDeep(m.graph).filter((n) => n.op === 'layer_norm');
    expect(norms.length).toBe(2 * 3 + 1);
    expect(norms.every((n) => n.inputs.length === 1)).toBe(true);
    expect(
      allNodesDeep(m.graph)
        .filter((n) => n.op === 'attention')
        .map((n) => formatType(n.type)),
    ).toEqual(Array(3).fill('f32[B,4,49,32]'));
    expect(p.samplers[0].graph.outputs.map((o) => formatType(o.type))).toEqual(['f32[B,1,28,28]']);
  });
});

/** timestep_embedding of docs/ir.md: [cos(t·f_k)..., sin(t·f_k)...], f_k = 10000^(-k/(dim/2)). */
function embedding(t: number, dim: number): number[] {
  const half = dim / 2;
  const f = Array.from({ length: half }, (_, k) => Math.pow(10000, -k / half));
  return [...f.map((x) => Math.cos(t * x)), ...f.map((x) => Math.sin(t * x))];
}

function dense(x: number[], w: Float32Array | Int32Array, b: Float32Array | Int32Array, out: number): number[] {
  return Array.from({ length: out }, (_, j) => x.reduce((s, xi, i) => s + xi * w[i * out + j], b[j]));
}

const silu = (v: number[]) => v.map((x) => x / (1 + Math.exp(-x)));

describe('mlp2d numerics', () => {
  it('computes the same as a plain-loop MLP with the same weights', async () => {
    const [m] = compileFile('examples/mlp2d.dn').models;
    const weights = initWeights(m.parameters, 3);
    const w = (p: string) => weights.get(p)!.data;
    const xs = [
      [0.3, -1.2],
      [2.0, 0.5],
      [-0.7, 0.1],
    ];
    const ts = [5, 480, 990];
    const [out] = await runGraph(m.graph, { inputs: { x: Float32Array.from(xs.flat()), t: Float32Array.from(ts) }, weights, dims: { B: 3 } });
    const got = Array.from(out.dataSync());
    tf.dispose(out);
    const want = xs.flatMap((x, n) => {
      const e = dense(
        silu(dense(embedding(ts[n], 64), w('embed.fc1.weight'), w('embed.fc1.bias'), 128)),
        w('embed.fc2.weight'),
        w('embed.fc2.bias'),
        128,
      );
      let h = dense(x, w('inp.weight'), w('inp.bias'), 128);
      for (let k = 0; k < 3; k++) {
        const f = dense(silu(h.map((v, i) => v + e[i])), w(`blocks.${k}.fc.weight`), w(`blocks.${k}.fc.bias`), 128);
        h = h.map((v, i) => v + f[i]);
      }
      return dense(silu(h), w('out.weight'), w('out.bias'), 2);
    });
    expect(got.length).toBe(want.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });
});

/** ᾱ of DDPM's linear schedule, as a plain running product. */
function alphaBar(T = 1000): number[] {
  const out: number[] = [];
  let prod = 1;
  for (let t = 0; t < T; t++) {
    prod *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / (T - 1));
    out.push(prod);
  }
  return out;
}

async function sample(src: string, seed: number, B: number): Promise<Float32Array> {
  const s = compile(src).samplers[0];
  const [out] = await runGraph(s.graph, { inputs: { seed: Int32Array.of(seed) }, dims: { B } });
  const data = Float32Array.from(out.dataSync());
  tf.dispose(out);
  return data;
}

describe('the DDIM sampler of std/samplers on the reference executor', () => {
  it('scales the initial noise by 1/sqrt(abar_T) when the model predicts zero noise', async () => {
    // With eps = 0 each step multiplies x by sqrt(abar_s/abar_t); the product telescopes to 1/sqrt(abar_999).
    const src =
      'import "std/samplers"\nmodel Zero {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0 }\n}\nsampler z = ddim(Zero, steps: 5)\n';
    const got = await sample(src, 7, 3);
    const noise = randn(7, 0, 0, 6);
    const scale = 1 / Math.sqrt(alphaBar()[999]);
    got.forEach((v, i) => expect(v / (noise[i] * scale)).toBeCloseTo(1, 4));
  });

  it('converges at first order to the exact probability-flow map of Gaussian data', async () => {
    // Data N(mu, v): the optimal eps is closed form, and the ODE maps x_T to
    // mu + sqrt(v / (abar_T v + 1 - abar_T)) (x_T - sqrt(abar_T) mu) at t = 0 (FACTS.md, "Exact check").
    const gauss = (steps: number) =>
      [
        'import "std/samplers"',
        'model GaussEps(mu: float = 0.5, v: float = 0.25) {',
        '  abar = vp_linear(beta0: 0.0001, beta1: 0.02, T: 1000).alpha_bar',
        '  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {',
        '    ab = abar[cast(t, "i32")][:, None]',
        '    a = sqrt(ab)',
        '    x0 = mu + a * v * (x - a * mu) / (ab * v + 1 - ab)',
        '    return (x - a * x0) / sqrt(1 - ab)',
        '  }',
        '}',
        `sampler z = ddim(GaussEps, steps: ${steps})`,
      ].join('\n');
    const abT = alphaBar()[999];
    const noise = randn(11, 0, 0, 8);
    const exact = Array.from(noise, (x) => 0.5 + Math.sqrt(0.25 / (abT * 0.25 + 1 - abT)) * (x - Math.sqrt(abT) * 0.5));
    const error = (got: Float32Array) => Math.max(...Array.from(got, (v, i) => Math.abs(v - exact[i])));
    const coarse = error(await sample(gauss(5), 11, 4));
    const fine = error(await sample(gauss(50), 11, 4));
    // DDIM is a first-order solver: 10x the steps should cut the error by close to 10x.
    expect(fine).toBeLessThan(coarse / 5);
    expect(fine).toBeLessThan(0.06);
  });
});
