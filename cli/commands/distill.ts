/**
 * `denoc distill FILE --weights TEACHER --data SET --from 64 --to 4`: progressive distillation
 * (runtime/distill/, Salimans & Ho 2022) of a trained denoiser into one whose N-step trailing DDIM
 * sampler (`ddim(M, steps: N, spacing: "trailing")`) matches the teacher's 2N-step one, halving N each
 * round; resumable per round. For 2-D data it then measures the student against the teacher at the
 * final step count (sliced Wasserstein-1 to held-out data) and can plot the student's samples.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import type { ModelArtifact, Program } from '../../dsl/index.ts';
import type { ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { checkDistillOptions, distill, type DistillOptions, type DistillResult } from '../../runtime/distill/distill.ts';
import { ddimCall, ddimSamplers } from '../../api/distill-evaluate.ts';
import { onnxDistillEngine } from '../../api/distill.ts';
import { DATA_SETS, openDataSource, type DataSource } from '../../runtime/train/data.ts';
import { samplesPng } from '../../api/train-plots.ts';
import { drawPoints } from '../../api/quality.ts';
import { slicedWasserstein } from '../../runtime/train/metrics.ts';
import { describeSpec, trainingSpec } from '../../runtime/train/training-spec.ts';
import { saveWeightsFile } from '../../runtime/weights/files.ts';
import { loadProgram, loadWeights, pickModel } from '../load.ts';
import { parseIntOption } from '../options.ts';
import { ProgressBar } from '../progress.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

interface DistillCliOptions {
  weights: string;
  data: string;
  from: string;
  to: string;
  stepsPerRound: string;
  batch: string;
  lr: string;
  out: string;
  model?: string;
  sampler?: string;
  resume?: boolean;
  checkpoint?: string;
  checkpointEvery: string;
  backend: string;
  engine: string;
  seed: string;
  eval: string;
  samplesPlot?: string;
  progress: boolean;
}

function parseLr(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !(v > 0 && Number.isFinite(v))) fail('DST0201', `--lr must be a positive number, got '${value}'`);
  return v;
}

function options(o: DistillCliOptions, program: Program, model: ModelArtifact, data: DataSource): DistillOptions {
  const seed = parseIntOption('--seed', o.seed, 0);
  const base = {
    from: parseIntOption('--from', o.from, 1),
    to: parseIntOption('--to', o.to, 1),
    stepsPerRound: parseIntOption('--steps-per-round', o.stepsPerRound, 1),
    batch: parseIntOption('--batch', o.batch, 1, 'batch'),
    lr: parseLr(o.lr),
  };
  checkDistillOptions(base);
  return {
    ...base,
    model,
    data,
    seed,
    spec: trainingSpec(model, program.samplers, o.sampler),
    teacher: loadWeights(model, o.weights, seed).weights,
    backend: o.backend as ReferenceBackend,
    engine: o.engine === 'onnx' ? (params) => onnxDistillEngine(model, base.batch, params) : undefined,
    checkpoint: {
      dir: o.checkpoint ?? `${o.out.replace(/\.safetensors$/, '')}.ckpt`,
      every: parseIntOption('--checkpoint-every', o.checkpointEvery, 1),
      resume: o.resume ?? false,
    },
  };
}

/** Runs the rounds under one progress bar over all of them; resumed and finished rounds are reported, not counted. */
async function runRounds(opts: DistillOptions, progress: boolean): Promise<DistillResult> {
  const rounds = Math.log2(opts.from / opts.to);
  let bar: ProgressBar | undefined;
  let recent = NaN,
    round = 0,
    base = 0;
  const onRound = (teacherSteps: number, studentSteps: number, start: number): void => {
    base = round * opts.stepsPerRound;
    round++;
    const state = start === opts.stepsPerRound ? ' (finished before, reused)' : start > 0 ? ` (resumed at step ${start})` : '';
    process.stderr.write(`round ${round}/${rounds}: ${teacherSteps} -> ${studentSteps} steps${state}\n`);
    recent = NaN;
    bar ??= new ProgressBar({
      total: rounds * opts.stepsPerRound,
      enabled: progress,
      get label() {
        return `steps, round ${round}/${rounds}, loss ${recent.toPrecision(3)}`;
      },
    });
  };
  const onStep = (_: number, done: number, loss: number): void => {
    recent = Number.isNaN(recent) ? loss : 0.98 * recent + 0.02 * loss;
    bar?.update(base + done);
  };
  try {
    return await distill({ ...opts, onRound, onStep });
  } finally {
    bar?.done();
  }
}

/** SW1 to held-out data of the student and of the first teacher, both at the final step count, same seed. */
async function reportQuality(file: string, opts: DistillOptions, student: WeightSet, o: DistillCliOptions): Promise<void> {
  const n = parseIntOption('--eval', o.eval, 0);
  const item = opts.data.itemShape;
  if (n === 0 || item.length !== 1 || item[0] !== 2) return;
  const sampler = ddimSamplers(file, opts.model.name, [opts.to]).get(opts.to)!;
  const heldOut = opts.data.heldOut(n, 0).x;
  const backend = opts.backend;
  const samples = await drawPoints(sampler, student, n, opts.seed, backend);
  const teacher = slicedWasserstein(await drawPoints(sampler, opts.teacher, n, opts.seed, backend), heldOut);
  process.stdout.write(
    `sample quality (sliced Wasserstein-1 to ${n} held-out points, ${ddimCall(opts.model.name, opts.to)}, ` +
      `seed ${opts.seed}): student ${slicedWasserstein(samples, heldOut).toFixed(4)}, teacher ${teacher.toFixed(4)}, ` +
      `data vs data ${slicedWasserstein(opts.data.heldOut(n, 1).x, heldOut).toFixed(4)}\n`,
  );
  if (o.samplesPlot) {
    writeFileAtomic(o.samplesPlot, samplesPng(samples, heldOut, `${opts.model.name} distilled to ${opts.to} DDIM steps`));
    process.stdout.write(`wrote ${o.samplesPlot}\n`);
  }
}

export function registerDistill(program: Command): void {
  program
    .command('distill')
    .description('progressive distillation: halve the DDIM steps of a trained model each round (Salimans & Ho 2022)')
    .argument('<file>', 'a .dn file defining the model (and the sampler whose schedule it was trained for)')
    .requiredOption('--weights <file>', "the teacher's weights (.safetensors)")
    .requiredOption('--data <name>', `training data: ${DATA_SETS.join(' | ')}`)
    .option('--from <n>', "the teacher's DDIM steps (a power of two)", '64')
    .option('--to <n>', "the student's DDIM steps (a power of two, fewer than --from)", '4')
    .option('--steps-per-round <n>', 'training steps of each halving round', '1000')
    .option('--batch <n>', 'items per step', '512')
    .option('--lr <x>', 'Adam learning rate at the start of each round (decays linearly to 0)', '1e-4')
    .option('--out <file>', "the student's weights (.safetensors)", 'out/student.safetensors')
    .option('--model <name>', 'which model (default: the last one in the file)')
    .option('--sampler <name>', 'the sampler whose schedule and prediction the model was trained for')
    .option('--resume', 'continue from the checkpoint folder')
    .option('--checkpoint <dir>', 'checkpoint folder, one subfolder per round (default: OUT without .safetensors, plus .ckpt)')
    .option('--checkpoint-every <n>', 'save a checkpoint every n steps of a round', '200')
    .option('--backend <name>', 'tfjs backend: wasm | cpu', 'wasm')
    .option(
      '--engine <name>',
      "onnx: the compiled student step and teacher on onnxruntime (the fastest engine on a CPU) | tape: tfjs' tape and host Adam (the oracle)",
      'onnx',
    )
    .option('--seed <n>', 'seed of the batches, the noise and the evaluation', '0')
    .option('--eval <n>', '2-D data: compare n samples of student and teacher at --to steps with held-out data (0: skip)', '2000')
    .option('--samples-plot <file>', "2-D data: scatter plot of the student's samples over held-out data")
    .option('--no-progress', 'do not draw a progress bar')
    .action(async (file: string, o: DistillCliOptions) => {
      if (o.backend !== 'wasm' && o.backend !== 'cpu') fail('CLI0011', `unknown backend '${o.backend}' (cpu | wasm)`);
      if (o.engine !== 'onnx' && o.engine !== 'tape') fail('CLI0012', `unknown engine '${o.engine}' (onnx | tape)`);
      const data = openDataSource(o.data);
      const program = loadProgram(file);
      const model = pickModel(program, o.model);
      const opts = options(o, program, model, data);
      process.stderr.write(
        `distilling ${model.name} on ${data.name} (${describeSpec(opts.spec)}): DDIM ${opts.from} -> ${opts.to} steps, ` +
          `${opts.stepsPerRound} steps per round, engine ${o.engine === 'onnx' ? 'graph/onnx' : `tape/${o.backend}`}\n`,
      );
      const result = await runRounds(opts, o.progress);
      for (const r of result.rounds) {
        const tail = r.losses.slice(-100);
        process.stdout.write(
          `round ${r.teacherSteps} -> ${r.studentSteps}: ${r.losses.length - Math.min(r.startStep, r.losses.length)} steps this run ` +
            `(${r.seconds.toFixed(1)} s), loss ${(tail.reduce((s, v) => s + v, 0) / tail.length).toFixed(4)} (mean of the last ${tail.length} steps)\n`,
        );
      }
      saveWeightsFile(o.out, result.weights, {
        metadata: {
          producer: 'denoc distill',
          model: model.name,
          data: data.name,
          teacher: o.weights,
          steps: String(opts.to),
          sampler: ddimCall(model.name, opts.to),
        },
      });
      process.stdout.write(`wrote ${o.out}\n`);
      await reportQuality(file, opts, result.weights, o);
    });
}
