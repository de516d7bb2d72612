/**
 * The training loop: `trainDenoiser` fits a model's weights to a data source with the diffusion loss
 * (loss.ts) and Adam (adam.ts) on the reference executor's tfjs backend (wasm by default: with the
 * matmul gradients of train-kernels.ts it is several times faster than cpu here).
 *
 * Every random draw of step k is keyed by (seed, k) (random.ts), so a run resumed from a checkpoint
 * (checkpoint.ts) ends with the same bits as an uninterrupted one. Class-conditional models get the
 * data's labels; with a declared null_class, 10 % of them are replaced by it so the model also learns
 * the unconditional prediction classifier-free guidance needs (Ho & Salimans 2022).
 *
 *   TRN0601 a model input the data cannot provide      TRN0603 the backend lacks a gradient kernel
 *   TRN0602 the loss is not finite                     TRN0604 a checkpoint exists but resume is off
 *   TRN0605 bad option value                           TRN0606 the data's items do not fit the model's x
 */
import * as tf from '@tensorflow/tfjs-core';
import { DenocError, fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { formatType } from '../../compiler/core/ir/types.ts';
import type { ModelArtifact } from '../../compiler/core/artifact.ts';
import { useBackend, type ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { initWeights } from '../weights/init.ts';
import { tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import { adamStep, createAdam, type AdamOptions, type AdamState } from './adam.ts';
import { checkpointStep, loadCheckpoint, saveCheckpoint, type Parameters, type RunConfig } from './checkpoint.ts';
import type { Batch, DataSource } from './data.ts';
import { compiledUpdate, type StepBatch, type StepRunner } from './compiled-step.ts';
import { drawNoisyBatch, lossFunction, type ExtraInputs, type NoisyBatch } from './loss.ts';
import { modelFunction, type ModelFunction } from './model-fn.ts';
import { normals, STREAMS, uniforms } from './random.ts';
import { describeSpec, type TrainingSpec } from './training-spec.ts';

/** Probability of replacing a label by the null class (Ho & Salimans 2022 use 0.1–0.2). */
const LABEL_DROP = 0.1;

export interface CheckpointOptions {
  readonly dir: string;
  /** Save every this many steps (and at the end). */
  readonly every: number;
  /** Continue from the folder's checkpoint; without it an existing checkpoint is an error. */
  readonly resume: boolean;
}

export interface TrainOptions {
  readonly model: ModelArtifact;
  readonly spec: TrainingSpec;
  readonly data: DataSource;
  /** Total steps of the run (a resumed run does the rest). */
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  /** EMA decay of the weights (0: off); with it, the result is the average. */
  readonly emaDecay?: number;
  readonly backend?: ReferenceBackend;
  readonly checkpoint?: CheckpointOptions;
  /** Called after each step with the number of steps done and the step's loss. */
  readonly onStep?: (done: number, loss: number) => void;
  /** Run each update as this compiled step graph (api/train.ts makes it) instead of tfjs' tape and host Adam. */
  readonly compiled?: StepRunner;
}

export interface TrainResult {
  /** The trained weights (the EMA when enabled), by parameter path. */
  readonly weights: WeightSet;
  /** Loss of every step of the run, resumed steps included. */
  readonly losses: readonly number[];
  /** Step the run started from: 0, or the checkpoint's. */
  readonly startStep: number;
  /** Wall-clock seconds of the steps this call ran. */
  readonly seconds: number;
}

function checkOptions(o: TrainOptions): void {
  const positiveInt = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1) fail('TRN0605', `${name} must be an integer >= 1, got ${v}`);
  };
  positiveInt('steps', o.steps);
  positiveInt('batch', o.batch);
  if (o.checkpoint) positiveInt('checkpoint interval', o.checkpoint.every);
  if (!(o.lr > 0 && Number.isFinite(o.lr))) fail('TRN0605', `the learning rate must be a positive number, got ${o.lr}`);
  const ema = o.emaDecay ?? 0;
  if (!(ema >= 0 && ema < 1)) fail('TRN0605', `the EMA decay must be in [0, 1), got ${ema}`);
}

/** The model's x must be [B, ...item shape of the data] (symbolic dims other than B fit anything). */
function checkItemShape(model: ModelArtifact, data: DataSource): void {
  const x = model.graph.params[0];
  const item = tensorOf(x).shape.slice(1);
  const fits = item.length === data.itemShape.length && item.every((d, i) => typeof d !== 'number' || d === data.itemShape[i]);
  if (!fits) {
    fail(
      'TRN0606',
      `model ${model.name} takes ${String(x.attrs.name)}: ${formatType(x.type)}, but data set '${data.name}' ` +
        `has items of shape [${data.itemShape.join(', ')}]`,
    );
  }
}

/** Feeds the model's inputs after x and t: one i32[B] class label input, from labelled data. */
type Conditioning = (b: Batch, seed: number, step: number, nullClass?: number) => Record<string, Int32Array>;

/** The model's inputs besides x and t, by name: class labels, with classifier-free label dropout. */
function conditioning(model: ModelArtifact, data: DataSource): Conditioning {
  const extra = model.graph.params.slice(2);
  if (extra.length === 0) return () => ({});
  const [p] = extra;
  const type = tensorOf(p);
  if (extra.length > 1 || type.dtype !== 'i32' || type.shape.length !== 1 || data.classes === undefined) {
    fail(
      'TRN0601',
      `model ${model.name} takes ${extra.map((q) => `'${String(q.attrs.name)}'`).join(', ')} besides x and t, ` +
        `which data set '${data.name}' cannot provide (it gives ${data.classes === undefined ? 'unlabelled items' : 'one class label per item'})`,
    );
  }
  return (b, seed, step, nullClass) => {
    const labels = Int32Array.from(b.labels!);
    if (nullClass !== undefined) {
      uniforms(seed, STREAMS.labelDrop, step, labels.length).forEach((u, i) => {
        if (u < LABEL_DROP) labels[i] = nullClass;
      });
    }
    return { [String(p.attrs.name)]: labels };
  };
}

const asTensors = (cond: Record<string, Int32Array>): ExtraInputs =>
  Object.fromEntries(Object.entries(cond).map(([k, v]) => [k, tf.tensor(v, [v.length], 'int32')]));

function runConfig(o: TrainOptions, params: Parameters): RunConfig {
  return {
    model: o.model.name,
    parameters: params.paths.length,
    data: o.data.name,
    batch: o.batch,
    lr: o.lr,
    seed: o.seed,
    ema: o.emaDecay ?? 0,
    training: describeSpec(o.spec),
    // a compiled run's Adam rounds in f32, the tape trainer's in f64: one run resumes on its own engine
    ...(o.compiled ? { engine: o.compiled.engine } : {}),
  };
}

interface Start {
  step: number;
  weights: Float32Array[];
  adam: AdamState;
  losses: number[];
}

function startState(o: TrainOptions, params: Parameters, adamOpts: AdamOptions): Start {
  const ck = o.checkpoint;
  const saved = ck ? checkpointStep(ck.dir) : undefined;
  if (ck && saved !== undefined && !ck.resume) {
    fail(
      'TRN0604',
      `${ck.dir} already holds a checkpoint at step ${saved}`,
      undefined,
      'pass --resume to continue that run, or remove the folder to start over',
    );
  }
  if (ck && saved !== undefined) {
    const s = loadCheckpoint(ck.dir, params, runConfig(o, params), !!o.emaDecay);
    return { step: s.step, weights: [...s.weights], adam: s.adam, losses: [...s.losses] };
  }
  const init = initWeights(o.model.parameters, o.seed);
  const weights = params.paths.map((p) => Float32Array.from(init.get(p)!.data));
  return { step: 0, weights, adam: createAdam(weights, adamOpts), losses: [] };
}

/** One step's loss and gradients; a tfjs failure (a kernel or gradient the backend lacks) becomes TRN0603. */
function lossAndGrads(compute: () => [number, ArrayLike<number>[]], backend: string): [number, ArrayLike<number>[]] {
  try {
    let out: [number, ArrayLike<number>[]] = [NaN, []];
    tf.tidy(() => {
      out = compute();
    });
    return out;
  } catch (e) {
    if (e instanceof DenocError) throw e;
    const message = (e as Error).message;
    return fail(
      'TRN0603',
      `tfjs backend '${backend}' cannot differentiate this model: ${message}`,
      undefined,
      backend === 'wasm' ? 'try --backend cpu (slower, but with every tfjs gradient kernel)' : undefined,
    );
  }
}

/** One update by tfjs' tape and host Adam; returns the loss. */
function tapeUpdate(
  fn: ModelFunction,
  o: TrainOptions,
  params: Parameters,
  state: Start,
  noisy: NoisyBatch,
  extra: ExtraInputs,
  backend: string,
  adamOpts: AdamOptions,
): number {
  const [loss, grads] = lossAndGrads(() => {
    const ws = state.weights.map((w, i) => tf.tensor(w, [...params.shapes[i]]));
    const { value, grads: g } = tf.valueAndGrads(lossFunction(fn, noisy, o.data.itemShape, extra))(ws);
    return [value.dataSync()[0], g.map((x) => x.dataSync())];
  }, backend);
  if (Number.isFinite(loss)) adamStep(state.weights, grads, state.adam, adamOpts);
  return loss;
}

/** The batch of a compiled update: the same Philox draws as the tape trainer's noisy batch. */
function drawStepBatch(o: TrainOptions, x0: Float32Array, step: number, cond: Record<string, Int32Array>): StepBatch {
  const levels = o.spec.levels(uniforms(o.seed, STREAMS.time, step, o.batch));
  return { x0, noise: normals(o.seed, STREAMS.noise, step, x0.length), alpha: levels.alpha, sigma: levels.sigma, t: levels.t, cond };
}

/**
 * The inputs of update `step` (0-based) of a run with the compiled step, as `trainDenoiser` draws them:
 * a pure function of (seed, step), so an engine that runs many steps on its own (scripts/xla-train.py)
 * is fed exactly what a StepRunner would be.
 */
export function compiledStepBatch(o: TrainOptions, step: number): StepBatch {
  const b = o.data.batch(o.seed, step, o.batch);
  return drawStepBatch(o, b.x, step, conditioning(o.model, o.data)(b, o.seed, step, o.spec.nullClass));
}

export async function trainDenoiser(o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  checkItemShape(o.model, o.data);
  const backend = o.backend ?? 'wasm';
  await useBackend(backend);
  await ensureGradients();
  const fn = modelFunction(o.model.graph);
  const shapeOf = new Map(o.model.parameters.map((p) => [p.path, p.type.shape as number[]]));
  const params: Parameters = { paths: fn.paths, shapes: fn.paths.map((p) => shapeOf.get(p)!) };
  const adamOpts: AdamOptions = { lr: o.lr, emaDecay: o.emaDecay };
  const state = startState(o, params, adamOpts);
  const startStep = state.step;
  const extraFor = conditioning(o.model, o.data);
  const save = (step: number) =>
    o.checkpoint &&
    saveCheckpoint(o.checkpoint.dir, params, { step, weights: state.weights, adam: state.adam, losses: state.losses }, runConfig(o, params), o.seed);
  const t0 = performance.now();
  for (let step = startStep; step < o.steps; step++) {
    const b = o.data.batch(o.seed, step, o.batch);
    const cond = extraFor(b, o.seed, step, o.spec.nullClass);
    const loss = o.compiled
      ? await compiledUpdate(o.compiled, params.paths, state.weights, state.adam, drawStepBatch(o, b.x, step, cond))
      : tapeUpdate(fn, o, params, state, drawNoisyBatch(o.spec, b.x, o.batch, o.seed, step), asTensors(cond), backend, adamOpts);
    if (!Number.isFinite(loss)) {
      fail('TRN0602', `the loss is ${loss} at step ${step + 1}`, undefined, 'lower --lr; the last checkpoint holds the weights from before');
    }
    state.losses.push(loss);
    o.onStep?.(step + 1, loss);
    if (o.checkpoint && (step + 1) % o.checkpoint.every === 0) save(step + 1);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (o.checkpoint && o.steps % o.checkpoint.every !== 0 && o.steps > startStep) save(o.steps);
  const final = state.adam.ema ?? state.weights;
  return {
    weights: new Map(params.paths.map((p, i) => [p, tensor(params.shapes[i], final[i])])),
    losses: state.losses,
    startStep,
    seconds,
  };
}
