/**
 * The compiled trainer against the tfjs oracle on a real image model: trains unet_small on
 * Fashion-MNIST for N steps from the same seed twice — the training step compiled by the ONNX target on
 * onnxruntime, and tfjs' tape with host Adam (the reference) — and compares the two loss curves step
 * by step. Both runs draw the same batches, noise, levels and label dropout (counter-based Philox keyed
 * by seed and step), so the curves differ only by float32 rounding in different kernels, which Adam
 * carries forward. Writes bench/results/train-match.{md,json,png}.
 *
 *   npx tsx scripts/train-match.ts [--steps 200] [--batch 8] [--model examples/unet_small.dn]
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onnxStepRunner } from '../api/train.ts';
import { linePlot } from '../api/render/png.ts';
import { compileFile } from '../dsl/index.ts';
import { openDataSource } from '../runtime/train/data.ts';
import { trainDenoiser } from '../runtime/train/trainer.ts';
import { trainingSpec } from '../runtime/train/training-spec.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '200' },
    batch: { type: 'string', default: '8' },
    model: { type: 'string', default: 'examples/unet_small.dn' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write('usage: npx tsx scripts/train-match.ts [--steps 200] [--batch 8] [--model examples/unet_small.dn]\n');
  process.exit(0);
}
const steps = Number(values.steps),
  batch = Number(values.batch);
const RESULTS = fileURLToPath(new URL('../bench/results/', import.meta.url));
const program = compileFile(values.model!);
const model = program.models[0];
const spec = trainingSpec(model, program.samplers);
const common = { model, spec, steps, batch, lr: 1e-3, seed: 7, emaDecay: 0.999, backend: 'wasm' as const };

async function run(engine: 'onnx' | 'tape'): Promise<{ losses: readonly number[]; seconds: number }> {
  const compiled = engine === 'onnx' ? onnxStepRunner(model, { spec, batch, lr: common.lr, emaDecay: common.emaDecay }) : undefined;
  let last = performance.now();
  const r = await trainDenoiser({
    ...common,
    data: openDataSource('fashion-mnist'),
    compiled,
    onStep: (done) => {
      if (done % 20 === 0) {
        process.stderr.write(`${engine}: step ${done}/${steps} (${((performance.now() - last) / 20000).toFixed(2)} s/step)\n`);
        last = performance.now();
      }
    },
  });
  return { losses: r.losses, seconds: r.seconds };
}

const onnx = await run('onnx');
const tape = await run('tape');
const rel = onnx.losses.map((l, i) => Math.abs(l - tape.losses[i]) / Math.abs(tape.losses[i]));
const window = (xs: readonly number[], a: number, b: number) => xs.slice(a, b).reduce((s, v) => s + v, 0) / (b - a);
const tail = Math.min(20, steps);
const summary = {
  date: new Date().toISOString().slice(0, 10),
  model: model.name,
  steps,
  batch,
  seed: common.seed,
  lr: common.lr,
  maxRelative: Math.max(...rel),
  firstStepRelative: rel[0],
  meanRelative: rel.reduce((s, v) => s + v, 0) / rel.length,
  lastMeans: { onnx: window(onnx.losses, steps - tail, steps), tape: window(tape.losses, steps - tail, steps) },
  firstMeans: { onnx: window(onnx.losses, 0, tail), tape: window(tape.losses, 0, tail) },
  seconds: { onnx: onnx.seconds, tape: tape.seconds },
  losses: { onnx: onnx.losses, tape: tape.losses },
};
const xs = onnx.losses.map((_, i) => i + 1);
writeFileSync(
  `${RESULTS}train-match.png`,
  linePlot(
    [
      { name: 'compiled step on onnxruntime', x: xs, y: [...onnx.losses] },
      { name: 'tfjs tape trainer (oracle)', x: xs, y: [...tape.losses] },
    ],
    {
      title: `${model.name}, B=${batch}: loss per step (curves overlap)`,
      xLabel: 'step',
      yLabel: 'loss (MSE)',
      logY: true,
      markers: false,
    },
  ),
);
writeFileSync(`${RESULTS}train-match.json`, `${JSON.stringify(summary, null, 1)}\n`);
const md = [
  '# The compiled trainer against the tfjs oracle (`npx tsx scripts/train-match.ts`)',
  '',
  `${summary.date}, this machine (2 cores). ${model.name} on Fashion-MNIST, batch ${batch}, ${steps} steps, seed ${common.seed}, Adam lr ${common.lr}, EMA 0.999; both runs draw the same batches, noise, levels and label dropout.`,
  '',
  '| | compiled step (onnxruntime) | tape trainer (tfjs wasm) |',
  '|---|---|---|',
  `| mean loss, steps 1–${tail} | ${summary.firstMeans.onnx.toFixed(5)} | ${summary.firstMeans.tape.toFixed(5)} |`,
  `| mean loss, last ${tail} steps | ${summary.lastMeans.onnx.toFixed(5)} | ${summary.lastMeans.tape.toFixed(5)} |`,
  `| wall time | ${onnx.seconds.toFixed(0)} s | ${tape.seconds.toFixed(0)} s |`,
  '',
  `Per-step loss difference: step 1 ${summary.firstStepRelative.toExponential(2)} relative (same weights: kernels' rounding only), mean over all steps ${summary.meanRelative.toExponential(2)}, largest ${summary.maxRelative.toExponential(2)}.`,
  '',
  '![both loss curves](train-match.png)',
  '',
].join('\n');
writeFileSync(`${RESULTS}train-match.md`, md);
process.stdout.write(md);
