/**
 * Quality against cost for the std samplers on the 2-D Gaussian mixture of examples/gmm.dn, whose
 * posterior mean is closed form (so no trained network stands between the solver and the answer).
 * Every sampler runs on the reference executor at about 5, 10, 20, 40 and 80 model evaluations on
 * one level table (Karras sigmas of DDPM's linear schedule, final level clean) and is scored by
 *   - ODE error (deterministic samplers): RMS distance to the exact probability-flow solution from
 *     the same start points, integrated here in float64 (RK4 in log sigma, 4000 steps);
 *   - SW1 (every sampler): sliced 1-Wasserstein distance to 50 000 exact draws of the mixture, with
 *     the floor that exact answers of the same size reach (the exact flow, fresh exact draws).
 * Writes bench/results/samplers.md and bench/results/samplers.png (log-log). `npm run bench:samplers`
 * takes about two minutes on 2 cores.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { topoOrder } from '../compiler/core/ir/node.ts';
import { compileSampler } from '../compiler/compile.ts';
import { compileSource } from '../dsl/index.ts';
import { runGraph } from '../runtime/reference/executor.ts';
import { linePlot, type LineSeries } from '../api/render/png.ts';
import { randn } from '../compiler/core/numeric/rng.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const MAIN = fileURLToPath(new URL('./samplers-main.dn', import.meta.url));
const B = 2048;
const SEED = 1;
const NFE = [5, 10, 20, 40, 80];

/** The mixture of examples/gmm.dn (checked below: the best sampler must land on this closed form). */
const GMM = {
  weights: [0.4, 0.3, 0.2, 0.1],
  means: [
    [-1.5, 0.0],
    [1.0, 1.0],
    [1.0, -1.2],
    [0.0, 2.0],
  ],
  vars: [
    [0.1, 0.2],
    [0.05, 0.05],
    [0.3, 0.1],
    [0.02, 0.2],
  ],
};

interface Solver {
  name: string;
  call: (nfe: number) => string;
  steps: (nfe: number) => number;
  stochastic: boolean;
  /** Drawn as one line with this solver: the same method, so the same samples up to f32 rounding. */
  sameAs?: string;
}

const plain = (name: string, call: string, stochastic = false, sameAs?: string): Solver => ({
  name,
  call: (n) => `${call}(GMM2D, steps: ${n}, sigmas: "karras")`,
  steps: (n) => n,
  stochastic,
  sameAs,
});

const SOLVERS: Solver[] = [
  plain('ddim', 'ddim'),
  plain('dpmpp_2m', 'dpmpp_2m'),
  { name: 'dpmpp_2m (trailing)', call: (n) => `dpmpp_2m(GMM2D, steps: ${n})`, steps: (n) => n, stochastic: false },
  plain('dpmpp_3m', 'dpmpp_3m'),
  // DDIM (eta = 0) is Euler in VE sigma, and DDPM (DDIM eta = 1) is Euler ancestral (Karras et al. 2022).
  plain('euler', 'euler', false, 'ddim'),
  // Heun evaluates twice per step but once on the last: 2·steps - 1 evaluations.
  {
    name: 'heun',
    call: (n) => `heun(GMM2D, steps: ${Math.round((n + 1) / 2)}, sigmas: "karras")`,
    steps: (n) => Math.round((n + 1) / 2),
    stochastic: false,
  },
  plain('lms', 'lms'),
  plain('ddpm', 'ddpm', true),
  plain('euler_ancestral', 'euler_ancestral', true, 'ddpm'),
  plain('sde_dpmpp_2m', 'sde_dpmpp_2m', true),
];

/** Linear-schedule VE sigma at timestep t (Ho et al. 2020 betas). */
function veSigma(t: number): number {
  let abar = 1;
  for (let k = 0; k <= t; k++) abar *= 1 - (1e-4 + ((0.02 - 1e-4) * k) / 999);
  return Math.sqrt((1 - abar) / abar);
}

/** E[x0 | x] for x = x0 + s·eps (VE form) under the mixture. */
function posteriorMean(x: readonly number[], s: number): number[] {
  const logp = GMM.weights.map(
    (w, k) =>
      Math.log(w) -
      0.5 *
        x.reduce((acc, xd, d) => {
          const v = GMM.vars[k][d] + s * s;
          return acc + (xd - GMM.means[k][d]) ** 2 / v + Math.log(v);
        }, 0),
  );
  const top = Math.max(...logp);
  const p = logp.map((l) => Math.exp(l - top));
  const total = p.reduce((a, b) => a + b, 0);
  return x.map((xd, d) =>
    p.reduce((acc, pk, k) => {
      const v = GMM.vars[k][d];
      return acc + (pk / total) * (GMM.means[k][d] + (v * (xd - GMM.means[k][d])) / (v + s * s));
    }, 0),
  );
}

/** The probability-flow ODE dx/du = x - D(x, e^u), u = log sigma, by RK4 from sMax down to ~0. */
function exactFlow(x: number[], sMax: number, steps = 4000): number[] {
  const [u0, u1] = [Math.log(sMax), Math.log(1e-6)];
  const h = (u1 - u0) / steps;
  const f = (y: number[], u: number): number[] => {
    const d = posteriorMean(y, Math.exp(u));
    return y.map((v, i) => v - d[i]);
  };
  const axpy = (y: number[], k: number[], a: number): number[] => y.map((v, i) => v + a * k[i]);
  for (let i = 0; i < steps; i++) {
    const u = u0 + i * h;
    const k1 = f(x, u),
      k2 = f(axpy(x, k1, h / 2), u + h / 2),
      k3 = f(axpy(x, k2, h / 2), u + h / 2),
      k4 = f(axpy(x, k3, h), u + h);
    x = x.map((v, j) => v + (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]));
  }
  return x;
}

/** Exact draws from the mixture: components in exact proportions (stratified), Philox normals within. */
function mixtureSample(n: number, seed: number): Float32Array {
  const z = randn(seed, 0, 0, 2 * n);
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const u = (i + 0.5) / n;
    let k = 0;
    for (let acc = GMM.weights[0]; u >= acc && k < GMM.weights.length - 1; acc += GMM.weights[++k]);
    for (let d = 0; d < 2; d++) out[2 * i + d] = GMM.means[k][d] + Math.sqrt(GMM.vars[k][d]) * z[2 * i + d];
  }
  return out;
}

/** Sliced 1-Wasserstein distance over 64 evenly spread directions, by matching quantiles. */
function slicedW1(a: Float32Array, ref: Float32Array): number {
  const K = 64;
  let total = 0;
  for (let k = 0; k < K; k++) {
    const [c, s] = [Math.cos((Math.PI * k) / K), Math.sin((Math.PI * k) / K)];
    const project = (xs: Float32Array): Float64Array =>
      Float64Array.from({ length: xs.length / 2 }, (_, i) => c * xs[2 * i] + s * xs[2 * i + 1]).sort();
    const pa = project(a),
      pr = project(ref);
    let w = 0;
    for (let i = 0; i < pa.length; i++) w += Math.abs(pa[i] - pr[Math.floor(((i + 0.5) / pa.length) * pr.length)]);
    total += w / pa.length;
  }
  return total / K;
}

interface Row {
  solver: string;
  steps: number;
  nfe: number;
  ode?: number;
  sw1: number;
  ms: number;
}

/** What exact answers score: the exact flow of the samplers' start points, and fresh exact draws. */
interface Floors {
  flow: number;
  draws: number;
}

async function run(): Promise<{ rows: Row[]; floors: Floors }> {
  const lines = SOLVERS.flatMap((s, i) => NFE.map((n) => `sampler s${i}_${n} = ${s.call(n)}`));
  const program = compileSource(`import "std/samplers"\nimport "../examples/gmm.dn"\n${lines.join('\n')}\n`, MAIN);
  const reference = mixtureSample(50_000, 7);
  // Independent exact draws of B points scatter in SW1; report their mean over 5 seeds.
  const draws = [3, 4, 5, 6, 8].reduce((acc, seed) => acc + slicedW1(mixtureSample(B, seed), reference), 0) / 5;
  const sMax = veSigma(999);
  let starts: number[][] | undefined;
  let exact: number[][] | undefined;
  const rows: Row[] = [];
  for (const [i, solver] of SOLVERS.entries()) {
    for (const n of NFE) {
      const graph = compileSampler(program.samplers.find((s) => s.name === `s${i}_${n}`)!.graph);
      const t0 = performance.now();
      const [out] = await runGraph(graph, { inputs: { seed: Int32Array.of(SEED) }, dims: { B } });
      const ms = performance.now() - t0;
      const x = Float32Array.from(out.dataSync());
      tf.dispose(out);
      if (!exact) {
        // Every sampler starts from the same VP point z (its first randn); in VE form that is z·sqrt(1 + sMax²).
        const stream = topoOrder(graph).find((node) => node.op === 'randn')!.attrs.stream as number;
        const z = randn(SEED, stream, 0, 2 * B);
        starts = Array.from({ length: B }, (_, b) => [z[2 * b], z[2 * b + 1]].map((v) => v * Math.hypot(1, sMax)));
        exact = starts.map((p) => exactFlow(p, sMax));
      }
      const ode = solver.stochastic
        ? undefined
        : Math.sqrt(exact.reduce((acc, p, b) => acc + (x[2 * b] - p[0]) ** 2 + (x[2 * b + 1] - p[1]) ** 2, 0) / (2 * B));
      const nfe = solver.name === 'heun' ? 2 * solver.steps(n) - 1 : n;
      const row: Row = { solver: solver.name, steps: solver.steps(n), nfe, ode, sw1: slicedW1(x, reference), ms };
      rows.push(row);
      console.log(
        `${row.solver.padEnd(20)} nfe ${String(nfe).padStart(3)}  ode ${ode?.toExponential(2) ?? '   -    '}  ` +
          `sw1 ${row.sw1.toFixed(4)}  ${ms.toFixed(0)} ms`,
      );
    }
  }
  const best = Math.min(...rows.filter((r) => r.ode !== undefined && r.nfe === NFE[NFE.length - 1]).map((r) => r.ode!));
  if (!(best < 1e-2)) throw new Error(`no sampler reaches the closed-form flow (best error ${best}): does GMM above match examples/gmm.dn?`);
  const flow = slicedW1(Float32Array.from(exact!.flat()), reference);
  return { rows, floors: { flow, draws } };
}

/** Observed order: slope of log error against log evaluations over the last doubling. */
function lastOrder(rows: Row[]): string {
  const [a, b] = rows.slice(-2);
  return a.ode && b.ode ? (Math.log(a.ode / b.ode) / Math.log(b.nfe / a.nfe)).toFixed(2) : '-';
}

function markdown(rows: Row[], floors: Floors): string {
  const out = [
    '# Sampler quality against model evaluations (GMM, examples/gmm.dn)',
    '',
    `Written by \`npm run bench:samplers\` (bench/samplers.bench.ts). ${B} samples, seed ${SEED}, reference executor (f32), ` +
      "Karras sigmas (rho = 7) of the linear schedule ending at clean data, each sampler's other options at their defaults " +
      '(dpmpp_2m (trailing): its default trailing timesteps; lms: order 4). ODE error: RMS distance to the exact probability-flow ' +
      `solution (float64 RK4). SW1: sliced 1-Wasserstein distance to 50 000 exact draws; the exact flow of the same start points ` +
      `reaches ${floors.flow.toFixed(4)}, fresh exact samples of ${B} points ${floors.draws.toFixed(4)} on average. ` +
      'euler gives the same samples as ddim and euler_ancestral the same as ddpm (one method each, in VE and VP form).',
    '',
    '| sampler | steps | evaluations | ODE error | SW1 | time (ms) |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows
      .map((r) => [r.solver, r.steps, r.nfe, r.ode === undefined ? '-' : r.ode.toExponential(2), r.sw1.toFixed(4), r.ms.toFixed(0)])
      .map((cells) => `| ${cells.join(' | ')} |`),
    '',
    '| sampler | observed order (ODE error, last doubling of evaluations) |',
    '|---|---:|',
    ...SOLVERS.filter((s) => !s.stochastic).map((s) => `| ${s.name} | ${lastOrder(rows.filter((r) => r.solver === s.name))} |`),
    '',
  ];
  return out.join('\n');
}

/** Stacks PNGs of equal width vertically. */
function stack(images: readonly Uint8Array[]): Buffer {
  const decoded = images.map((p) => PNG.sync.read(Buffer.from(p)));
  const out = new PNG({ width: decoded[0].width, height: decoded.reduce((h, d) => h + d.height, 0) });
  let offset = 0;
  for (const d of decoded) {
    d.data.copy(out.data, offset);
    offset += d.data.length;
  }
  return PNG.sync.write(out);
}

function plots(rows: Row[], floors: Floors): Buffer {
  const series = (keep: (s: Solver) => boolean, y: (r: Row) => number): LineSeries[] =>
    SOLVERS.filter((s) => keep(s) && !s.sameAs).map((s) => {
      const mine = rows.filter((r) => r.solver === s.name);
      const twins = SOLVERS.filter((t) => t.sameAs === s.name).map((t) => t.name);
      return { name: [s.name, ...twins].join(' = '), x: mine.map((r) => r.nfe), y: mine.map(y) };
    });
  const ode = linePlot(
    series(
      (s) => !s.stochastic,
      (r) => r.ode!,
    ),
    {
      title: 'GMM: error vs exact probability-flow ODE',
      xLabel: 'model evaluations',
      yLabel: 'RMS error',
      logX: true,
      logY: true,
      width: 720,
      height: 520,
    },
  );
  const floorLine = { name: 'exact flow (floor)', x: [NFE[0], NFE[NFE.length - 1]], y: [floors.flow, floors.flow] };
  const sw = linePlot(
    [
      ...series(
        () => true,
        (r) => r.sw1,
      ),
      floorLine,
    ],
    {
      title: 'GMM: distance of the samples to the data',
      xLabel: 'model evaluations',
      yLabel: 'sliced W1',
      logX: true,
      logY: true,
      width: 720,
      height: 520,
    },
  );
  return stack([ode, sw]);
}

const { rows, floors } = await run();
mkdirSync(RESULTS, { recursive: true });
writeFileSync(`${RESULTS}samplers.md`, markdown(rows, floors));
writeFileSync(`${RESULTS}samplers.png`, plots(rows, floors));
console.log(`wrote ${RESULTS}samplers.md and samplers.png`);
