/**
 * `denoc train FILE --data SET`: trains a model of the file on a data set with the diffusion loss
 * (runtime/train/), checkpointing as it goes, and writes the weights (.safetensors, loadable by
 * `denoc run --weights`) and a loss-curve PNG. For 2-D data it then measures the samples of the
 * model's sampler against held-out data (sliced Wasserstein-1) and can plot them.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import type { ModelArtifact, Program, SamplerArtifact } from '../../dsl/index.ts';
import type { ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { DATA_SETS, openDataSource, type DataSource } from '../../runtime/train/data.ts';
import { FASHION_MNIST_DIR } from '../../runtime/train/fashion-mnist.ts';
import { lossCurvePng, samplesPng } from '../../api/train-plots.ts';
import { measureQuality } from '../../api/quality.ts';
import { trainDenoiser, type TrainResult } from '../../runtime/train/trainer.ts';
import { describeRemat, stepRunner } from '../../api/train.ts';
import { defaultXlaDriver, xlaStepRunner } from '../../api/xla-step-runner.ts';
import { parseRematMode, type RematPlan } from '../../compiler/passes/remat.ts';
import { describeSpec, trainingSpec } from '../../runtime/train/training-spec.ts';
import { saveWeightsFile } from '../../runtime/weights/files.ts';
import { trainClassifierCommand } from './train-classify.ts';
import { loadProgram, pickModel } from '../load.ts';
import { parseIntOption } from '../options.ts';
import { ProgressBar } from '../progress.ts';

interface TrainCliOptions {
  data: string;
  steps: string;
  batch: string;
  lr: string;
  ema: string;
  out: string;
  model?: string;
  sampler?: string;
  resume?: boolean;
  backend: string;
  engine: string;
  seed: string;
  plot?: string;
  checkpoint?: string;
  checkpointEvery: string;
  dataDir?: string;
  eval: string;
  samplesPlot?: string;
  progress: boolean;
  task: string;
  epochs: string;
  dtype: string;
  remat?: string;
  devices: string;
  xlaPlatform: string;
}

function parseNumber(flag: string, value: string, ok: (v: number) => boolean, expected: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v) || !ok(v)) fail('TRN0901', `${flag} must be ${expected}, got '${value}'`);
  return v;
}

const withoutExtension = (file: string): string => file.replace(/\.safetensors$/, '');

/** The sampler whose schedule the model is trained for: --sampler, else the model's last one. */
function samplerFor(program: Program, model: ModelArtifact, name?: string): SamplerArtifact | undefined {
  const own = program.samplers.filter((s) => s.modelName === model.name);
  if (name === undefined) return own.at(-1);
  const found = own.find((s) => s.name === name);
  if (!found)
    fail('TRN0902', `${program.file} has no sampler '${name}' for model ${model.name} (has: ${own.map((s) => s.name).join(', ') || 'none'})`);
  return found;
}

/**
 * Trains with a progress bar whose label shows the recent loss. The bar starts at the first finished
 * step, so backend start-up does not count in the rate, and counts the steps of this run (a resumed
 * run starts past the checkpoint's).
 */
async function runTraining(program: Program, model: ModelArtifact, data: DataSource, o: TrainCliOptions): Promise<TrainResult> {
  const steps = parseIntOption('--steps', o.steps, 1);
  const spec = trainingSpec(model, program.samplers, o.sampler);
  let recent = NaN;
  let bar: ProgressBar | undefined;
  let first = 0;
  const batch = parseIntOption('--batch', o.batch, 1, 'batch');
  const lr = parseNumber('--lr', o.lr, (v) => v > 0, 'a positive number');
  const emaDecay = parseNumber('--ema', o.ema, (v) => v >= 0 && v < 1, 'a decay in [0, 1)');
  const backend = o.backend as ReferenceBackend;
  if (o.remat !== undefined && o.engine === 'tape') fail('TRN1003', '--remat rewrites the compiled step graph: use --engine onnx or graph');
  const remat = o.remat === undefined ? undefined : parseRematMode(o.remat);
  let rematPlan: RematPlan | undefined;
  const onRemat = (plan: RematPlan): void => {
    rematPlan = plan;
  };
  const compiled =
    o.engine === 'tape'
      ? undefined
      : o.engine === 'xla'
        ? xlaStepRunner(
            model,
            { spec, batch, lr, emaDecay, remat, onRemat, devices: parseIntOption('--devices', o.devices, 1) },
            defaultXlaDriver(o.xlaPlatform),
          )
        : stepRunner(o.engine === 'onnx' ? 'onnx' : 'reference', model, { spec, batch, lr, emaDecay, backend, remat, onRemat });
  const engine = compiled?.engine ?? `tape/${backend}`;
  process.stderr.write(`training ${model.name} on ${data.name} (${describeSpec(spec)}) with engine ${engine}\n`);
  if (rematPlan) process.stderr.write(`${describeRemat(rematPlan, o.remat!)}\n`);
  const onStep = (done: number, loss: number): void => {
    recent = Number.isNaN(recent) ? loss : 0.98 * recent + 0.02 * loss;
    if (!bar) {
      first = done - 1;
      const label = first > 0 ? `steps after ${first}` : 'steps';
      bar = new ProgressBar({
        total: steps - first,
        enabled: o.progress,
        get label() {
          return `${label}, loss ${recent.toPrecision(3)}`;
        },
      });
    }
    bar.update(done - first);
  };
  try {
    return await trainDenoiser({
      model,
      spec,
      data,
      steps,
      batch,
      lr,
      emaDecay,
      seed: parseIntOption('--seed', o.seed, 0),
      backend,
      compiled,
      checkpoint: {
        dir: o.checkpoint ?? `${withoutExtension(o.out)}.ckpt`,
        every: parseIntOption('--checkpoint-every', o.checkpointEvery, 1),
        resume: o.resume ?? false,
      },
      onStep,
    });
  } finally {
    bar?.done();
  }
}

function meanOfLast(losses: readonly number[], n: number): number {
  const tail = losses.slice(-n);
  return tail.reduce((s, v) => s + v, 0) / tail.length;
}

async function reportQuality(program: Program, model: ModelArtifact, data: DataSource, result: TrainResult, o: TrainCliOptions): Promise<void> {
  const n = parseIntOption('--eval', o.eval, 0);
  const sampler = samplerFor(program, model, o.sampler);
  if (n === 0 || !sampler || data.itemShape.length !== 1 || data.itemShape[0] !== 2) return;
  const seed = parseIntOption('--seed', o.seed, 0);
  const q = await measureQuality({ sampler, model, weights: result.weights, data, n, seed, backend: o.backend as ReferenceBackend });
  process.stdout.write(
    `sample quality (sliced Wasserstein-1 to ${n} held-out points, ${sampler.name} ${sampler.steps} steps, seed ${seed}): ` +
      `trained ${q.trained.toFixed(4)}, random weights ${q.random.toFixed(4)}, data vs data ${q.dataVsData.toFixed(4)}\n`,
  );
  if (o.samplesPlot) {
    writeFileAtomic(o.samplesPlot, samplesPng(q.samples, q.heldOut, `${model.name} on ${data.name}: ${sampler.name}, ${sampler.steps} steps`));
    process.stdout.write(`wrote ${o.samplesPlot}\n`);
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model of a .dn file on a data set (diffusion loss, Adam); writes weights and a loss curve')
    .argument('<file>', 'a .dn file defining the model (and the sampler whose schedule to train for)')
    .requiredOption('--data <name>', `training data: ${DATA_SETS.join(' | ')}`)
    .option('--steps <n>', 'total training steps (a resumed run does the rest)', '5000')
    .option('--batch <n>', 'items per step', '512')
    .option('--lr <x>', 'Adam learning rate', '1e-3')
    .option('--ema <decay>', 'keep an exponential moving average of the weights and write it (0: off)', '0.999')
    .option('--out <file>', 'weights to write (.safetensors)', 'out/weights.safetensors')
    .option('--model <name>', 'which model (default: the last one in the file)')
    .option('--sampler <name>', "train for this sampler's schedule and prediction (default: every sampler of the model, which must agree)")
    .option('--resume', 'continue from the checkpoint folder')
    .option('--checkpoint <dir>', 'checkpoint folder (default: OUT without .safetensors, plus .ckpt)')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps', '500')
    .option('--backend <name>', 'tfjs backend: wasm | cpu', 'wasm')
    .option(
      '--engine <name>',
      "onnx: the compiled training step on onnxruntime (the fastest engine on a CPU) | graph: the same step on the reference executor | xla: the step as StableHLO on XLA through JAX, the batch split over --devices | tape: tfjs' tape and host Adam (the oracle)",
      'onnx',
    )
    .option('--devices <n>', 'xla: devices the batch is split over (data parallel; the batch must be a multiple)', '1')
    .option('--xla-platform <name>', 'xla: cpu (devices simulated on the host) | gpu | tpu', 'cpu')
    .option('--seed <n>', 'seed of the init, the batches, the noise and the evaluation', '0')
    .option('--plot <file>', 'loss-curve PNG (default: OUT without .safetensors, plus .loss.png)')
    .option('--data-dir <dir>', 'folder of the Fashion-MNIST IDX .gz files', FASHION_MNIST_DIR)
    .option('--eval <n>', '2-D data: measure n samples of the sampler against held-out data after training (0: skip)', '2000')
    .option('--samples-plot <file>', '2-D data: scatter plot of the evaluation samples over held-out data')
    .option('--no-progress', 'do not draw a progress bar')
    .option(
      '--task <name>',
      'diffusion: the denoising loss | classify: softmax cross-entropy on labelled images (--engine onnx or graph)',
      'diffusion',
    )
    .option('--epochs <n>', 'classify: passes over the 60000 training images', '5')
    .option('--dtype <type>', 'classify: storage dtype of the written weights, f32 | f16', 'f32')
    .option(
      '--remat <mode>',
      'gradient checkpointing of the compiled step: none | sqrt | budget=<MiB>; prints the peak activation memory and extra FLOPs',
    )
    .action(async (file: string, o: TrainCliOptions) => {
      if (o.backend !== 'wasm' && o.backend !== 'cpu') fail('CLI0011', `unknown backend '${o.backend}' (cpu | wasm)`);
      if (!['tape', 'graph', 'onnx', 'xla'].includes(o.engine)) fail('CLI0012', `unknown engine '${o.engine}' (tape | graph | onnx | xla)`);
      if (o.task !== 'diffusion' && o.task !== 'classify') fail('TRN0904', `unknown --task '${o.task}' (diffusion | classify)`);
      if (o.task === 'classify') {
        const lr = parseNumber('--lr', o.lr, (v) => v > 0, 'a positive number');
        const emaDecay = parseNumber('--ema', o.ema, (v) => v >= 0 && v < 1, 'a decay in [0, 1)');
        const model = pickModel(loadProgram(file), o.model);
        await trainClassifierCommand(model, { ...o, dataDir: o.dataDir ?? FASHION_MNIST_DIR }, lr, emaDecay);
        return;
      }
      const data = openDataSource(o.data, { dir: o.dataDir });
      const program = loadProgram(file);
      const model = pickModel(program, o.model);
      const result = await runTraining(program, model, data, o);
      const done = result.losses.length - result.startStep;
      process.stdout.write(
        `trained ${model.name} on ${data.name}: step ${result.losses.length} (${done} this run, ${result.seconds.toFixed(1)} s, ` +
          `${(done / Math.max(result.seconds, 1e-9)).toFixed(1)} steps/s), loss ${meanOfLast(result.losses, 100).toFixed(4)} ` +
          `(mean of the last ${Math.min(100, result.losses.length)} steps)\n`,
      );
      saveWeightsFile(o.out, result.weights, {
        metadata: { producer: 'denoc train', model: model.name, data: data.name, steps: String(result.losses.length) },
      });
      const plot = o.plot ?? `${withoutExtension(o.out)}.loss.png`;
      writeFileAtomic(plot, lossCurvePng(result.losses, `${model.name} on ${data.name}`));
      process.stdout.write(`wrote ${o.out} and ${plot}\n`);
      await reportQuality(program, model, data, result, o);
    });
}
