/**
 * Trains a model's compiled step on XLA, data parallel: writes the run directory (api/train-xla.ts) and
 * runs it with scripts/xla-train.py on the Python that has JAX (scripts/jax-python.ts).
 *
 *   npx tsx scripts/xla-train.ts examples/mlp2d.dn --data moons --batch 64 --steps 20 --devices 4
 *
 * `--platform cpu` (the default) simulates the devices with XLA_FLAGS=--xla_force_host_platform_device_count;
 * with `--platform gpu|tpu` the mesh spans that many of the machine's accelerators. `--write-only` stops
 * after writing the directory, to copy it to the machine that has them. The trained weights (the EMA
 * unless --ema 0) go to --out, for `denoc run --weights`.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readXlaTrainedWeights, readXlaTrainingResult, writeXlaTrainingRun } from '../api/train-xla.ts';
import { writeSafetensors } from '../compiler/core/safetensors.ts';
import { compileFile } from '../dsl/index.ts';
import { openDataSource } from '../runtime/train/data.ts';
import { trainingSpec } from '../runtime/train/training-spec.ts';
import { findJaxPython } from './jax-python.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string' },
    batch: { type: 'string', default: '64' },
    steps: { type: 'string', default: '20' },
    devices: { type: 'string', default: '4' },
    lr: { type: 'string', default: '1e-3' },
    ema: { type: 'string', default: '0.999' },
    seed: { type: 'string', default: '0' },
    platform: { type: 'string', default: 'cpu' },
    dir: { type: 'string', default: 'out/xla-train' },
    out: { type: 'string', default: 'out/xla-train.safetensors' },
    'write-only': { type: 'boolean', default: false },
  },
});
const [file] = positionals;
if (!file || !values.data) {
  console.error(
    'usage: npx tsx scripts/xla-train.ts FILE.dn --data NAME [--batch N] [--steps N] [--devices D] [--platform cpu|gpu|tpu] [--dir DIR] [--out FILE]',
  );
  process.exit(2);
}
const program = compileFile(file);
const model = program.models[program.models.length - 1];
const devices = Number(values.devices);
const run = writeXlaTrainingRun(
  {
    model,
    spec: trainingSpec(model, program.samplers),
    data: openDataSource(values.data),
    steps: Number(values.steps),
    batch: Number(values.batch),
    lr: Number(values.lr),
    emaDecay: Number(values.ema),
    seed: Number(values.seed),
    devices,
  },
  values.dir,
);
console.log(`wrote ${values.dir}: ${run.model}, ${run.steps} steps of batch ${run.batch} over ${devices} devices`);
if (values['write-only']) process.exit(0);
const python = findJaxPython();
if (!python) {
  console.error('no Python with JAX found (set DENOC_JAX_PYTHON or make .venv-jax); run scripts/xla-train.py on a machine that has one');
  process.exit(1);
}
const flags =
  values.platform === 'cpu' ? `${process.env.XLA_FLAGS ?? ''} --xla_force_host_platform_device_count=${devices}`.trim() : process.env.XLA_FLAGS;
const r = spawnSync(python, ['scripts/xla-train.py', values.dir, '--platform', values.platform], {
  stdio: 'inherit',
  env: { ...process.env, ...(flags ? { XLA_FLAGS: flags } : {}) },
});
if (r.status !== 0) process.exit(r.status ?? 1);
const result = readXlaTrainingResult(values.dir);
console.log(`losses: ${result.losses.map((l) => l.toFixed(5)).join(' ')}`);
writeFileSync(values.out, writeSafetensors(readXlaTrainedWeights(values.dir)));
console.log(`wrote ${values.out} (${Number(values.ema) ? 'the EMA of the weights' : 'the weights'}, for denoc run --weights)`);
