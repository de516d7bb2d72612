/**
 * Training on XLA, data parallel: the driver's side. Writes a run directory that scripts/xla-train.py
 * runs with JAX on D devices (host CPU devices, a GPU node or a TPU slice), and reads its result back:
 *
 *   step.mlir          the training step (compiler/training/step.ts) as StableHLO; with devices > 1 its
 *                      batch inputs are split over a mesh of D devices and everything else replicated
 *                      (targets/stablehlo/sharding.ts), so XLA partitions the step and all-reduces
 *   state.safetensors  the initial weights, Adam moments (zero) and EMA, by input name (w:…, m:…, v:…, ema:…)
 *   batch_<input>.npy  each batch input (x0, noise, alpha, sigma, t, labels) of every step, stacked
 *                      [steps, …]: the draws of `trainDenoiser` (runtime/train), so every engine sees the same data
 *   run.json           the module's manifest, the state names in output order, steps and devices
 *
 * The driver leaves the state on the devices between steps; result.json holds the loss of every step,
 * the devices used, the all-reduces XLA inserted and the time per step, and trained.safetensors the final
 * state, whose weights (the EMA when the run keeps one) `denoc run --weights` takes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../compiler/core/output-file.ts';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { readSafetensors, writeSafetensors } from '../compiler/core/safetensors.ts';
import { tensor, type Tensor, type WeightSet } from '../compiler/core/tensor.ts';
import { emitStableHLO, type StableHLOManifest } from '../targets/stablehlo/emit.ts';
import { encodeNpy } from '../targets/stablehlo/npy.ts';
import type { DataSource } from '../runtime/train/data.ts';
import { compiledStepBatch, type TrainOptions } from '../runtime/train/trainer.ts';
import type { StepBatch } from '../runtime/train/compiled-step.ts';
import { initWeights } from '../runtime/weights/init.ts';
import { stepGraph, type CompiledTrainingOptions } from './train.ts';

export interface XlaTrainingOptions extends CompiledTrainingOptions {
  readonly model: ModelArtifact;
  readonly data: DataSource;
  readonly steps: number;
  readonly seed: number;
  /** Devices the batch is split over; the batch must be a multiple of it. */
  readonly devices: number;
}

export interface XlaRun {
  readonly format: 'denoc-xla-train/1';
  readonly model: string;
  readonly steps: number;
  readonly devices: number;
  readonly batch: number;
  readonly batchInputs: readonly string[];
  /** The step's state inputs, in the order of its first outputs (the loss comes last). */
  readonly state: readonly string[];
  readonly manifest: StableHLOManifest;
}

/** What scripts/xla-train.py reports in result.json. */
export interface XlaTrainingResult {
  readonly losses: readonly number[];
  readonly platform: string;
  /** Devices the compiled step ran on. */
  readonly devices: number;
  /** all-reduce instructions in the partitioned program XLA compiled (its combiner merges many into one). */
  readonly allReduces: number;
  /** Values those all-reduces sum: each weight's gradient and the loss when the batch is split. */
  readonly allReducedValues: number;
  /** Shape of each batch input's piece on one device. */
  readonly shardShapes: Readonly<Record<string, readonly number[]>>;
  /** Each batch input's sharding in the compiled program, as XLA prints it (e.g. `{devices=[4,1]<=[4]}`). */
  readonly batchShardings: Readonly<Record<string, string>>;
  /** Arguments the compiled program keeps whole on every device (the state and the step counter). */
  readonly replicatedInputs: number;
  /** Largest difference between the devices' copies of the replicated outputs after the last step. */
  readonly replicaSpread: number;
  readonly compileSeconds: number;
  readonly stepsPerSecond: number;
}

const FIXED_BATCH_INPUTS = ['x0', 'noise', 'alpha', 'sigma', 't'] as const;

function batchArrays(batch: StepBatch): Record<string, Float32Array | Int32Array> {
  return {
    x0: batch.x0,
    noise: batch.noise,
    alpha: Float32Array.from(batch.alpha),
    sigma: Float32Array.from(batch.sigma),
    t: batch.t,
    ...batch.cond,
  };
}

/** The steps' batches, each input stacked over steps. */
function stackBatches(o: TrainOptions, steps: number, names: readonly string[]): Map<string, Float32Array | Int32Array> {
  const per = Array.from({ length: steps }, (_, k) => batchArrays(compiledStepBatch(o, k)));
  return new Map(
    names.map((name) => {
      const first = per[0][name];
      const out = first instanceof Int32Array ? new Int32Array(first.length * steps) : new Float32Array(first.length * steps);
      per.forEach((b, k) => out.set(b[name], k * first.length));
      return [name, out];
    }),
  );
}

/** The step of a data-parallel XLA run: its StableHLO, the batch inputs it splits, its state in output order. */
export interface XlaStep {
  readonly text: string;
  readonly manifest: StableHLOManifest;
  readonly paths: readonly string[];
  readonly batchInputs: readonly string[];
  readonly state: readonly string[];
}

/** The training step of `o.model` emitted as StableHLO with its batch split over `o.devices` devices. */
export function emitXlaStep(o: CompiledTrainingOptions & { readonly model: ModelArtifact; readonly devices: number }): XlaStep {
  if (!Number.isInteger(o.devices) || o.devices < 1) fail('TRN0605', `the device count must be an integer >= 1, got ${o.devices}`);
  if (o.batch % o.devices !== 0) fail('TRN0605', `batch ${o.batch} does not split over ${o.devices} devices: use a multiple of ${o.devices}`);
  const step = stepGraph(o.model, o);
  const batchInputs = [...FIXED_BATCH_INPUTS, ...step.cond];
  const { text, manifest } = emitStableHLO(step.graph, { dims: { B: o.batch }, dataParallel: { devices: o.devices, batchInputs } });
  const state = ['w', 'm', 'v', ...(o.emaDecay ? ['ema'] : [])].flatMap((g) => step.paths.map((p) => `${g}:${p}`));
  return { text, manifest, paths: step.paths, batchInputs, state };
}

/** Writes the run directory for `o` (see the header) and returns its description. */
export function writeXlaTrainingRun(o: XlaTrainingOptions, dir: string): XlaRun {
  const { text, manifest, batchInputs, state: names } = emitXlaStep(o);
  const train: TrainOptions = {
    model: o.model,
    spec: o.spec,
    data: o.data,
    steps: o.steps,
    batch: o.batch,
    lr: o.lr,
    seed: o.seed,
    emaDecay: o.emaDecay,
  };
  const init = initWeights(o.model.parameters, o.seed);
  const state = new Map<string, Tensor<Float32Array>>();
  for (const name of names) {
    const [group, path] = [name.slice(0, name.indexOf(':')), name.slice(name.indexOf(':') + 1)];
    const w = init.get(path) ?? fail('TRN0103', `the compiled step updates weight '${path}', which the model has no value for`);
    state.set(name, group === 'm' || group === 'v' ? tensor(w.shape, new Float32Array(w.data.length)) : w);
  }
  writeFileAtomic(join(dir, 'step.mlir'), text);
  writeFileAtomic(join(dir, 'state.safetensors'), writeSafetensors(state));
  const shapeOf = new Map(manifest.inputs.map((t) => [t.name, t.shape]));
  for (const [name, data] of stackBatches(train, o.steps, batchInputs)) {
    writeFileAtomic(join(dir, `batch_${name}.npy`), encodeNpy(data, [o.steps, ...shapeOf.get(name)!]));
  }
  const run: XlaRun = {
    format: 'denoc-xla-train/1',
    model: o.model.name,
    steps: o.steps,
    devices: o.devices,
    batch: o.batch,
    batchInputs,
    state: names,
    manifest,
  };
  writeFileAtomic(join(dir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

/** The result scripts/xla-train.py wrote into `dir`. */
export function readXlaTrainingResult(dir: string): XlaTrainingResult {
  return JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as XlaTrainingResult;
}

/** The weights after the run's last step, by parameter path: the EMA when the run keeps one, as `denoc train` writes. */
export function readXlaTrainedWeights(dir: string): WeightSet {
  const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as XlaRun;
  const state = readSafetensors(readFileSync(join(dir, 'trained.safetensors')), join(dir, 'trained.safetensors'));
  const group = run.state.some((s) => s.startsWith('ema:')) ? 'ema:' : 'w:';
  return new Map([...state].filter(([name]) => name.startsWith(group)).map(([name, t]) => [name.slice(group.length), t]));
}
