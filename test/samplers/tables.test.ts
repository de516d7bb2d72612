/**
 * Compile-time tables: the language builtins reproduce the published timestep spacings (Lin et al.
 * 2023, Table 2), the Karras et al. 2022 sigma formula and the zero-terminal-SNR rescale; the
 * samplers visit those tables; and after the default pipeline (and already after fold-constants) no
 * loop body computes a scalar from the step index: every such value is a gather from a constant table.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { compileSampler } from '../../compiler/compile.ts';
import { allNodesDeep, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { isStatic } from '../../compiler/core/ir/types.ts';
import type { Program } from '../../dsl/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { compileProgram, linearAlphaBar, samplerGraph } from './helpers.ts';

/** A sampler that returns compile-time values as tensors, so a test can read what the builtins computed. */
function builtinValues(exprs: readonly string[]): Promise<number[][]> {
  const body = `sampler show(model: Model) {\n  return ${exprs.map((e) => `zeros([len(${e})]) + ${e}`).join(', ')}\n}\nsampler s = show(Gaussian2D)\n`;
  return runGraph(samplerGraph(compileProgram(body), 's'), { inputs: { seed: Int32Array.of(0) }, dims: { B: 1 } }).then((outs) => {
    const values = outs.map((t) => Array.from(t.dataSync()));
    tf.dispose(outs);
    return values;
  });
}

const constantTables = (g: Graph): number[][] =>
  allNodesDeep(g)
    .filter((n) => n.op === 'constant')
    .map((n) => Array.from(n.attrs.data as Float32Array | Int32Array));

const close = (a: readonly number[], b: readonly number[], rel = 1e-6): boolean =>
  a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= rel * Math.max(1, Math.abs(b[i])));

const LINSPACE = [999, 888, 777, 666, 555, 444, 333, 222, 111, 0];
const LEADING_1 = [901, 801, 701, 601, 501, 401, 301, 201, 101, 1];
const TRAILING = [999, 899, 799, 699, 599, 499, 399, 299, 199, 99];

/** Karras et al. 2022, eq. 5: (s_max^(1/rho) + i/(n-1)·(s_min^(1/rho) - s_max^(1/rho)))^rho, then 0. */
const karras = (n: number, sMin: number, sMax: number, rho: number): number[] => [
  ...Array.from({ length: n }, (_, i) => (sMax ** (1 / rho) + (i / (n - 1)) * (sMin ** (1 / rho) - sMax ** (1 / rho))) ** rho),
  0,
];

describe('tables from the language builtins match the literature', () => {
  it('timestep spacings for T = 1000, N = 10 (Lin et al. 2023, Table 2)', async () => {
    const [linspace, leading, trailing] = await builtinValues([
      'spacing_linspace(1000, 10)',
      'spacing_leading(1000, 10, offset: 1)',
      'spacing_trailing(1000, 10)',
    ]);
    expect(linspace).toEqual(LINSPACE);
    expect(leading).toEqual(LEADING_1);
    expect(trailing).toEqual(TRAILING);
  });

  it('Karras sigmas follow the formula, for the default rho = 7 and another', async () => {
    const [seven, three] = await builtinValues(['karras_sigmas(10, 0.002, 80.0)', 'karras_sigmas(6, 0.01, 10.0, rho: 3.0)']);
    expect(close(seven, karras(10, 0.002, 80, 7))).toBe(true);
    expect(close(three, karras(6, 0.01, 10, 3))).toBe(true);
  });

  it('zero-SNR rescale gives alpha_bar = 0 exactly at the last timestep and keeps the first', async () => {
    const [ends] = await builtinValues([
      '[vp_schedule("linear", zero_snr: true).alpha_bar[999], vp_schedule("linear", zero_snr: true).alpha_bar[0]]',
    ]);
    expect(ends[0]).toBe(0);
    expect(ends[1]).toBeCloseTo(linearAlphaBar()[0], 7);
  });

  it('continuous cosine log-SNR is -log tan(pi·t/2) for s = 0', async () => {
    const [lambdas] = await builtinValues(['[cosine_log_snr(0.25, s: 0.0), cosine_log_snr(0.5, s: 0.0), cosine_log_snr(0.75, s: 0.0)]']);
    expect(
      close(
        lambdas,
        [0.25, 0.5, 0.75].map((t) => -Math.log(Math.tan((Math.PI * t) / 2))),
        1e-6,
      ),
    ).toBe(true);
  });
});

describe('samplers visit those tables', () => {
  let program: Program;
  beforeAll(() => {
    program = compileProgram(
      [
        'sampler lin = ddim(Gaussian2D, steps: 10, spacing: "linspace")',
        'sampler lead = ddim(Gaussian2D, steps: 10, spacing: "leading", offset: 1)',
        'sampler trail = ddim(Gaussian2D, steps: 10)',
        'sampler edm = euler(Gaussian2D, steps: 10)',
      ].join('\n'),
    );
  });

  it('ddim feeds the model the spaced timesteps', () => {
    for (const [name, ts] of [
      ['lin', LINSPACE],
      ['lead', LEADING_1],
      ['trail', TRAILING],
    ] as const) {
      expect(
        constantTables(samplerGraph(program, name)).some((c) => close(c, ts)),
        name,
      ).toBe(true);
    }
  });

  it("euler's noise levels are the Karras sigmas of the model's schedule (VP alpha = 1/sqrt(1 + s²))", () => {
    const ab = linearAlphaBar();
    const s = karras(10, Math.sqrt((1 - ab[0]) / ab[0]), Math.sqrt((1 - ab[999]) / ab[999]), 7).slice(0, 10);
    const alphas = s.map((x) => 1 / Math.sqrt(1 + x * x));
    expect(constantTables(samplerGraph(program, 'edm')).some((c) => close(c, alphas, 1e-5))).toBe(true);
  });
});

/** Nodes of a loop body that depend on the step index and constants only, with a static shape. */
function stepOnlyStatic(body: Graph): Node[] {
  const iter = body.params[0];
  const memo = new Map<Node, boolean>();
  const stepOnly = (n: Node): boolean => {
    let r = memo.get(n);
    if (r === undefined) {
      r = n === iter || n.op === 'constant' || (!['param', 'weight', 'randn'].includes(n.op) && n.inputs.length > 0 && n.inputs.every(stepOnly));
      memo.set(n, r);
    }
    return r;
  };
  return topoOrder(body).filter((n) => n.type.kind === 'tensor' && isStatic(n.type.shape) && stepOnly(n));
}

interface Body {
  readonly body: Graph;
  readonly count: number;
}
const loopBodies = (g: Graph): Body[] =>
  topoOrder(g).flatMap((n) => n.regions.flatMap((r) => [{ body: r, count: n.attrs.count as number }, ...loopBodies(r)]));

describe('compile-time evaluation', () => {
  // The model reads t only through timestep_embedding, so what is left in a body is the sampler's own math.
  const MODEL = 'model Emb {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] { return x * 0.5 + timestep_embedding(t, 2) }\n}\n';
  const SAMPLERS = [
    'ddim(Emb, steps: 6, eta: 0.5)',
    'ddpm(Emb, steps: 6)',
    'dpmpp_1s(Emb, steps: 6)',
    'dpmpp_2m(Emb, steps: 6, sigmas: "karras")',
    'dpmpp_3m(Emb, steps: 6)',
    'sde_dpmpp_2m(Emb, steps: 6)',
    'euler(Emb, steps: 6, churn: 1.0)',
    'euler_ancestral(Emb, steps: 6)',
    'heun(Emb, steps: 6, churn: 1.0)',
    'lms(Emb, steps: 6)',
    'consistency(Emb, steps: 3)',
    'ddim(GMMClass, steps: 4, guidance: 2.0, guidance_rescale: 0.5)',
  ];
  const ALLOWED = new Set(['constant', 'gather', 'param', 'broadcast_to', 'cast', 'reshape']);
  let program: Program;
  beforeAll(() => {
    program = compileProgram(MODEL + SAMPLERS.map((s, k) => `sampler s${k} = ${s}`).join('\n'));
  });

  for (const [pipeline, label] of [
    ['default', 'the default pipeline'],
    ['fold-constants', 'fold-constants alone'],
  ] as const) {
    it(`leaves only gathers of tables for step-dependent scalars after ${label}`, () => {
      SAMPLERS.forEach((call, k) => {
        const compiled = compileSampler(samplerGraph(program, `s${k}`), { pipeline });
        const bodies = loopBodies(compiled);
        expect(bodies.length, call).toBeGreaterThan(0);
        for (const { body, count } of bodies) {
          const formulas = stepOnlyStatic(body)
            .filter((n) => !ALLOWED.has(n.op))
            .map((n) => n.op);
          expect(formulas, call).toEqual([]);
          // A one-step loop (heun's final Euler step) has plain constants instead of tables.
          if (count > 1)
            expect(
              topoOrder(body).some((n) => n.op === 'gather'),
              call,
            ).toBe(true);
        }
      });
    });
  }
});
