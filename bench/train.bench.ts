/**
 * Training speed, side by side in one run: one training step (forward, backward, Adam + EMA) of mlp2d
 * (batch 512, moons) and unet_small (batch 8, Fashion-MNIST from Debian's dataset-fashion-mnist) on each
 * engine of `denoc train`: the tfjs tape trainer on wasm, and the compiled step graph
 * (compiler/training) on onnxruntime. Steps/s are medians after one warm-up step; ratios are against
 * the tape trainer in the same run. Writes bench/results/train.{md,json}. Run: `npm run bench:train`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { onnxStepRunner } from '../api/train.ts';
import { compileFile } from '../dsl/index.ts';
import { openDataSource, type DataSource } from '../runtime/train/data.ts';
import { trainDenoiser } from '../runtime/train/trainer.ts';
import { trainingSpec } from '../runtime/train/training-spec.ts';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

interface Case {
  readonly name: string;
  readonly file: string;
  readonly batch: number;
  readonly steps: number;
  readonly data: () => DataSource;
}

const CASES: readonly Case[] = [
  { name: 'mlp2d', file: 'examples/mlp2d.dn', batch: 512, steps: 12, data: () => openDataSource('moons') },
  { name: 'unet_small', file: 'examples/unet_small.dn', batch: 8, steps: 5, data: () => openDataSource('fashion-mnist') },
];

/** Median seconds per step after the first (warm-up) step. */
async function secondsPerStep(model: ModelArtifact, c: Case, engine: 'tape' | 'onnx'): Promise<number> {
  const program = compileFile(c.file);
  const spec = trainingSpec(model, program.samplers);
  const times: number[] = [];
  let last = performance.now();
  const compiled = engine === 'onnx' ? onnxStepRunner(model, { spec, batch: c.batch, lr: 1e-3, emaDecay: 0.999 }) : undefined;
  await trainDenoiser({
    model,
    spec,
    data: c.data(),
    steps: c.steps,
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
  const rest = times.slice(1).sort((a, b) => a - b);
  return rest[Math.floor(rest.length / 2)] / 1000;
}

const rows: { model: string; batch: number; tape: number; onnx: number }[] = [];
for (const c of CASES) {
  const model = compileFile(c.file).models[0];
  const tape = await secondsPerStep(model, c, 'tape');
  const onnx = await secondsPerStep(model, c, 'onnx');
  rows.push({ model: c.name, batch: c.batch, tape, onnx });
  console.log(
    `${c.name} B=${c.batch}: tape/wasm ${(1 / tape).toFixed(2)} steps/s, onnx ${(1 / onnx).toFixed(2)} steps/s (${(tape / onnx).toFixed(2)}x)`,
  );
}

const md = [
  '# Training step speed (`npm run bench:train`)',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on this machine (2 cores, no GPU); medians after a warm-up step, one run.`,
  '',
  '| model | batch | tape trainer (tfjs wasm) steps/s | compiled step on onnxruntime steps/s | onnx ÷ tape |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.model} | ${r.batch} | ${(1 / r.tape).toFixed(2)} | ${(1 / r.onnx).toFixed(2)} | ${(r.tape / r.onnx).toFixed(2)}× |`),
  '',
].join('\n');
writeFileSync(`${RESULTS}train.md`, md);
writeFileSync(`${RESULTS}train.json`, `${JSON.stringify(rows, null, 2)}\n`);
console.log(md);
