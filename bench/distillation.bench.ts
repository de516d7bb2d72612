/**
 * The measurements of docs/distillation.md, as a script:
 *
 *   npm run bench:distill -- CKPT_DIR [--n 2000] [--seeds 0,1,2]
 *
 * sliced Wasserstein-1 to held-out moons of mlp2d's trailing DDIM sampler at 64 … 2 steps with the
 * undistilled teacher (examples/weights/mlp2d-moons.safetensors) and with each round's student (the
 * last checkpoint of CKPT_DIR/round-N, from `denoc distill`), and the data-vs-data floor; prints a
 * Markdown table and writes the line plot docs/img/distillation-sw1.png.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFile } from '../dsl/index.ts';
import { linePlot, type LineSeries } from '../api/render/png.ts';
import { openDataSource } from '../runtime/train/data.ts';
import { slicedWasserstein } from '../runtime/train/metrics.ts';
import { bindWeights } from '../runtime/weights/bind.ts';
import { loadWeightsFile } from '../runtime/weights/files.ts';
import { ddimSamplers, samplerDistance } from '../api/distill-evaluate.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';

const FILE = 'examples/mlp2d.dn';
const TEACHER = 'examples/weights/mlp2d-moons.safetensors';
const PLOT = 'docs/img/distillation-sw1.png';
const STEPS = [64, 32, 16, 8, 4, 2];

const arg = (flag: string, dflt: string): string => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? process.argv[i + 1] : dflt;
};

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir || !existsSync(dir)) {
    console.error(`usage: npm run bench:distill -- CKPT_DIR (the checkpoint folder of \`denoc distill\`); got ${dir ?? 'none'}`);
    process.exit(2);
  }
  const n = Number(arg('--n', '2000'));
  const seeds = arg('--seeds', '0,1,2').split(',').map(Number);
  const model = compileFile(FILE).models[0];
  const weightsOf = (path: string) => bindWeights(model.parameters, loadWeightsFile(path));
  const students = new Map<number, WeightSet>();
  for (const s of STEPS) {
    const state = join(dir, `round-${s}`, 'state.json');
    if (existsSync(state)) students.set(s, weightsOf(join(dir, `round-${s}`, JSON.parse(readFileSync(state, 'utf8')).weights)));
  }
  const samplers = ddimSamplers(FILE, model.name, STEPS);
  const data = openDataSource('moons');
  const teacher = weightsOf(TEACHER);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  // one at a time: the reference executor sets up its tfjs backend on first use
  const measure = async (w: WeightSet, s: number) => {
    const out: number[] = [];
    for (const seed of seeds) out.push(await samplerDistance(samplers.get(s)!, w, data, n, seed));
    return out;
  };
  const floor = slicedWasserstein(data.heldOut(n, 1).x, data.heldOut(n, 0).x);
  console.log(`| DDIM steps | teacher (seeds ${seeds.join(', ')}) | mean | student | mean |\n|---|---|---|---|---|`);
  const teacherLine = { name: 'teacher (undistilled)', x: [] as number[], y: [] as number[] };
  const studentLine = { name: 'distilled student', x: [] as number[], y: [] as number[] };
  for (const s of STEPS) {
    const t = await measure(teacher, s);
    teacherLine.x.push(s);
    teacherLine.y.push(mean(t));
    const w = students.get(s);
    const st = w ? await measure(w, s) : [];
    if (w) {
      studentLine.x.push(s);
      studentLine.y.push(mean(st));
    }
    const fmt = (xs: number[]) => (xs.length ? xs.map((x) => x.toFixed(3)).join(', ') : '—');
    console.log(`| ${s} | ${fmt(t)} | ${t.length ? mean(t).toFixed(3) : '—'} | ${fmt(st)} | ${st.length ? mean(st).toFixed(3) : '—'} |`);
  }
  console.log(`\ndata vs data (${n} points): ${floor.toFixed(3)}`);
  const floorLine: LineSeries = { name: 'data vs data', x: [STEPS.at(-1)!, STEPS[0]], y: [floor, floor] };
  writeFileSync(
    PLOT,
    linePlot([teacherLine, studentLine, floorLine], {
      title: `mlp2d, moons: SW1 vs DDIM steps (${seeds.length} seeds)`,
      xLabel: 'DDIM steps (trailing)',
      yLabel: 'sliced Wasserstein-1',
      logX: true,
      logY: true,
    }),
  );
  console.log(`wrote ${PLOT}`);
}

await main();
