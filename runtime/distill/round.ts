/**
 * One round of progressive distillation (Salimans & Ho 2022, Algorithm 2): the student starts as a
 * copy of the teacher and learns, with Adam, to take one DDIM step where the teacher takes two. The
 * learning rate decays linearly to 0 over the round (a choice: it ends each round at a settled
 * student, which then becomes the next teacher); there is no weight EMA.
 *
 * Every random draw of step k (data, student step, noise) is keyed by (seed, stream, offset + k), so a
 * round resumed from its checkpoint (runtime/train/checkpoint.ts) ends with the same bits as one run
 * straight through.
 *
 *   DST0301 the loss is not finite
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../compiler/core/diagnostics.ts';
import { adamStep, createAdam, type AdamState } from '../train/adam.ts';
import { checkpointStep, loadCheckpoint, saveCheckpoint, type Parameters, type RunConfig } from '../train/checkpoint.ts';
import type { DataSource } from '../train/data.ts';
import type { ModelFunction } from '../train/model-fn.ts';
import { integersBelow, normals } from '../train/random.ts';
import type { Prediction } from '../train/training-spec.ts';
import { distillBatch, teacherStep, tfjsTeacherForward, type DistillBatch, type TeacherForward } from './batch.ts';
import type { Grid } from './grid.ts';
import { distillLoss } from './loss.ts';

/** Random streams of distillation (the key's second word; training uses 101–202). */
export const DISTILL_STREAMS = { studentStep: 301, noise: 302 } as const;

/**
 * How a round runs the teacher and updates the student: the tfjs tape with host Adam (the oracle), or
 * a compiled engine that the driver builds (api/distill.ts: the regression step of
 * compiler/training/regression.ts and the teacher's forward pass on onnxruntime).
 */
export interface DistillEngine {
  /** As the CLI reports it ('tape/wasm', 'graph/onnx'). */
  readonly name: string;
  /** The teacher's forward pass for a round whose teacher has these weights (in `params` order). */
  teacher(weights: readonly Float32Array[]): { readonly forward: TeacherForward; dispose(): void };
  /** One Adam update of `weights` (in place) and `adam` on `batch` at learning rate `lr`; returns the loss. */
  update(weights: Float32Array[], adam: AdamState, batch: DistillBatch, lr: number): Promise<number>;
}

/** The tape engine: tfjs forward passes and tf.valueAndGrads, Adam on the host. */
export function tapeEngine(fn: ModelFunction, params: Parameters, itemShape: readonly number[], backend = 'wasm'): DistillEngine {
  return {
    name: `tape/${backend}`,
    teacher(weights) {
      const tensors = weights.map((w, i) => tf.tensor(w, [...params.shapes[i]]));
      return { forward: tfjsTeacherForward(fn, tensors, itemShape), dispose: () => tensors.forEach((t) => t.dispose()) };
    },
    async update(weights, adam, batch, lr) {
      const [loss, grads] = lossAndGrads(fn, params, weights, batch, itemShape);
      if (Number.isFinite(loss)) adamStep(weights, grads, adam, { lr });
      return loss;
    },
  };
}

export interface RoundOptions {
  readonly fn: ModelFunction;
  /** The engine of the round (default: the tape engine of `fn`). */
  readonly engine?: DistillEngine;
  readonly params: Parameters;
  readonly teacher: readonly Float32Array[];
  readonly grids: { readonly teacher: Grid; readonly student: Grid };
  readonly prediction: Prediction;
  readonly data: DataSource;
  readonly steps: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  /** Added to the step in every random key, so rounds draw different batches. */
  readonly streamOffset: number;
  /** Checkpoint folder of this round; resumed from when it holds a checkpoint. */
  readonly checkpoint?: { readonly dir: string; readonly every: number; readonly config: RunConfig };
  /** Called once the round knows where it starts (0, or a checkpoint's step). */
  readonly onStart?: (startStep: number) => void;
  readonly onStep?: (done: number, loss: number) => void;
}

export interface RoundResult {
  readonly weights: Float32Array[];
  /** Loss of every step of the round, resumed steps included. */
  readonly losses: number[];
  readonly startStep: number;
  readonly seconds: number;
}

interface State {
  step: number;
  weights: Float32Array[];
  adam: AdamState;
  losses: number[];
}

function startState(o: RoundOptions): State {
  const ck = o.checkpoint;
  if (ck && checkpointStep(ck.dir) !== undefined) {
    const s = loadCheckpoint(ck.dir, o.params, ck.config, false);
    return { step: s.step, weights: [...s.weights], adam: s.adam, losses: [...s.losses] };
  }
  const weights = o.teacher.map((w) => Float32Array.from(w));
  return { step: 0, weights, adam: createAdam(weights, { lr: o.lr }), losses: [] };
}

/** The batch of round step `step`: data, student steps and noise from the run's seeded streams. */
export function roundBatch(o: RoundOptions, teacher: TeacherForward, step: number): Promise<DistillBatch> {
  const key = o.streamOffset + step;
  const x0 = o.data.batch(o.seed, key, o.batch).x;
  const k = integersBelow(o.grids.student.steps, o.seed, DISTILL_STREAMS.studentStep, key, o.batch);
  const eps = normals(o.seed, DISTILL_STREAMS.noise, key, x0.length);
  const step2 = teacherStep(teacher, o.grids.teacher, o.prediction);
  return distillBatch(step2, o.grids.teacher, o.prediction, x0, k, eps);
}

/** The weighted loss of `weights` on a batch, and its gradients. */
export function lossAndGrads(
  fn: ModelFunction,
  params: Parameters,
  weights: readonly Float32Array[],
  batch: DistillBatch,
  itemShape: readonly number[],
): [number, Float32Array[]] {
  return tf.tidy(() => {
    const ws = weights.map((w, i) => tf.tensor(w, [...params.shapes[i]]));
    const { value, grads } = tf.valueAndGrads(distillLoss(fn, batch, itemShape))(ws);
    return [value.dataSync()[0], grads.map((g) => g.dataSync() as Float32Array)];
  });
}

export async function runRound(o: RoundOptions): Promise<RoundResult> {
  const state = startState(o);
  const startStep = state.step;
  o.onStart?.(startStep);
  const engine = o.engine ?? tapeEngine(o.fn, o.params, o.data.itemShape);
  const teacher = engine.teacher(o.teacher);
  const save = (step: number) =>
    o.checkpoint &&
    saveCheckpoint(o.checkpoint.dir, o.params, { step, weights: state.weights, adam: state.adam, losses: state.losses }, o.checkpoint.config, o.seed);
  const t0 = performance.now();
  try {
    for (let step = startStep; step < o.steps; step++) {
      const batch = await roundBatch(o, teacher.forward, step);
      const loss = await engine.update(state.weights, state.adam, batch, o.lr * (1 - step / o.steps));
      if (!Number.isFinite(loss))
        fail('DST0301', `the distillation loss is ${loss} at step ${step + 1} of the ${o.grids.student.steps}-step round`, undefined, 'lower --lr');
      state.losses.push(loss);
      if (o.checkpoint && ((step + 1) % o.checkpoint.every === 0 || step + 1 === o.steps)) save(step + 1);
      o.onStep?.(step + 1, loss);
    }
  } finally {
    teacher.dispose();
  }
  return { weights: state.weights, losses: state.losses, startStep, seconds: (performance.now() - t0) / 1000 };
}
