/**
 * Training speed, side by side in one run: one training step (forward, backward, Adam + EMA) of mlp2d
 * (batch 512, moons), unet_small (batch 64, Fashion-MNIST from Debian's dataset-fashion-mnist) and the
 * Fashion-MNIST teacher fmnist_unet (batch 64) on each engine of `denoc train` — the tfjs tape trainer
 * on wasm (the oracle), the compiled step graph (compiler/training) on onnxruntime and on XLA:CPU
 * through JAX (one device) — and PyTorch on CPU as the peer (bench/peers/torch_train.py, the same
 * architectures written in torch, same batch, 2 threads) when a Python with torch is found
 * (DENOC_TORCH_PYTHON, .venv-torch/bin/python, python3). Steps/s are medians after one warm-up step;
 * ratios are in the same run. Writes bench/results/train.{md,json}.
 *
 *   npm run bench:train [-- --quick]      (--quick: mlp2d and fmnist_unet only, fewer steps)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { onnxStepRunner } from '../api/train.ts';
import { defaultXlaDriver, xlaStepRunner } from '../api/xla-step-runner.ts';
import { findJaxPython } from '../api/jax-python.ts';
import { compileFile } from '../dsl/index.ts';
import type { StepRunner } from '../runtime/train/compiled-step.ts';
import { openDataSource, type DataSource } from '../runtime/train/data.ts';
import { trainDenoiser } from '../runtime/train/trainer.ts';
import { trainingSpec } from '../runtime/train/training-spec.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const quick = process.argv.includes('--quick');

interface Case {
  readonly name: string;
  readonly file: string;
  readonly batch: number;
  /** Timed steps per engine (after the warm-up); the tape trainer gets fewer on image models. */
  readonly steps: number;
  readonly tapeSteps: number;
  readonly data: () => DataSource;
  /** Engines timed on this case (PyTorch always, when found). */
  readonly engines: readonly Engine[];
}

type Engine = 'tape' | 'onnx' | 'xla';
const images = () => openDataSource('fashion-mnist');
const ALL: readonly Case[] = [
  {
    name: 'mlp2d',
    file: 'examples/mlp2d.dn',
    batch: 512,
    steps: 12,
    tapeSteps: 12,
    data: () => openDataSource('moons'),
    engines: ['tape', 'onnx', 'xla'],
  },
  { name: 'unet_small', file: 'examples/unet_small.dn', batch: 8, steps: 5, tapeSteps: 3, data: images, engines: ['tape', 'onnx', 'xla'] },
  // tfjs-wasm's heap cannot hold unet_small's backward at batch 64 (TRN0603); XLA compiles for minutes there
  { name: 'unet_small', file: 'examples/unet_small.dn', batch: 64, steps: 3, tapeSteps: 0, data: images, engines: ['onnx'] },
  { name: 'fmnist_unet', file: 'examples/fmnist_unet.dn', batch: 64, steps: 4, tapeSteps: 2, data: images, engines: ['tape', 'onnx', 'xla'] },
];
const CASES = quick ? ALL.filter((c) => c.name !== 'unet_small') : ALL;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median seconds per step after the first (warm-up) step. */
async function secondsPerStep(model: ModelArtifact, c: Case, engine: Engine): Promise<number> {
  const program = compileFile(c.file);
  const spec = trainingSpec(model, program.samplers);
  const times: number[] = [];
  let last = performance.now();
  const opts = { spec, batch: c.batch, lr: 1e-3, emaDecay: 0.999 };
  let compiled: StepRunner | undefined;
  let close = (): void => undefined;
  if (engine === 'onnx') compiled = onnxStepRunner(model, opts);
  if (engine === 'xla') {
    const runner = xlaStepRunner(model, { ...opts, devices: 1 }, defaultXlaDriver('cpu'));
    compiled = runner;
    close = () => runner.close();
  }
  try {
    await trainDenoiser({
      model,
      spec,
      data: c.data(),
      steps: 1 + (engine === 'tape' ? c.tapeSteps : c.steps),
      batch: c.batch,
      lr: 1e-3,
      seed: 1,
      emaDecay: 0.999,
      backend: 'wasm',
      compiled,
      onStep: () => {
        const now = performance.now();
        times.push(now - last);
        last = now;
      },
    });
  } finally {
    close();
  }
  return median(times.slice(1)) / 1000;
}

function torchPython(): string | undefined {
  const candidates = [process.env.DENOC_TORCH_PYTHON, '.venv-torch/bin/python', 'python3'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => (p.includes('/') ? existsSync(p) : true) && spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
}

/** PyTorch's median seconds per step of the same architecture, or undefined without torch. */
function torchSecondsPerStep(python: string | undefined, c: Case): number | undefined {
  if (!python) return undefined;
  const out = execFileSync(python, ['bench/peers/torch_train.py', c.name, String(c.batch), String(c.steps), '2'], { encoding: 'utf8' });
  return median(JSON.parse(out.trim().split('\n').pop()!).seconds);
}

const python = torchPython();
const torchVersion = python ? execFileSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim() : undefined;
const jax = findJaxPython();
interface Row {
  readonly model: string;
  readonly batch: number;
  readonly tape?: number;
  readonly onnx: number;
  readonly xla?: number;
  readonly torch?: number;
}
const rows: Row[] = [];
for (const c of CASES) {
  const model = compileFile(c.file).models[0];
  const onnx = await secondsPerStep(model, c, 'onnx');
  const torch = torchSecondsPerStep(python, c);
  const xla = jax && c.engines.includes('xla') ? await secondsPerStep(model, c, 'xla') : undefined;
  const tape = c.engines.includes('tape') ? await secondsPerStep(model, c, 'tape') : undefined;
  rows.push({ model: c.name, batch: c.batch, tape, onnx, xla, torch });
  console.log(
    `${c.name} B=${c.batch}: tape ${tape ? (1 / tape).toFixed(2) : '-'}, onnx ${(1 / onnx).toFixed(2)}, xla ${xla ? (1 / xla).toFixed(2) : '-'}, ` +
      `torch ${torch ? (1 / torch).toFixed(2) : '-'} steps/s`,
  );
}

const f = (s: number | undefined): string => (s === undefined ? '—' : (1 / s).toFixed(s > 1 ? 3 : 2));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
const md = [
  '# Training step speed (`npm run bench:train`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (2 cores, no GPU); one step = forward, backward, Adam and EMA;`,
  'medians after a warm-up step, all engines in one run (the machine otherwise idle).',
  `PyTorch ${torchVersion ?? '(not found)'} CPU, 2 threads, the same architectures (bench/peers/torch_train.py); XLA:CPU through JAX, one device.`,
  '',
  '| model | batch | tape (tfjs wasm) steps/s | onnxruntime steps/s | XLA:CPU steps/s | PyTorch steps/s | onnx ÷ tape | onnx ÷ PyTorch |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.model} | ${r.batch} | ${f(r.tape)} | ${f(r.onnx)} | ${f(r.xla)} | ${f(r.torch)} | ${ratio(r.tape, r.onnx)} | ${ratio(r.torch, r.onnx)} |`,
  ),
  '',
  "— : not run. tfjs-wasm cannot hold unet_small's backward at batch 64 (its heap overflows: TRN0603), and XLA:CPU",
  'compiles unet_small at batch 64 for minutes, so that row has onnxruntime and PyTorch only.',
  '',
].join('\n');
writeFileSync(`${RESULTS}train.md`, md);
writeFileSync(`${RESULTS}train.json`, `${JSON.stringify({ torch: torchVersion, rows }, null, 2)}\n`);
console.log(md);
