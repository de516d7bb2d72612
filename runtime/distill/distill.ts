/**
 * Progressive distillation (Salimans & Ho, ICLR 2022): rounds from `from` DDIM steps down to `to`,
 * halving the step count each round, the student of one round being the teacher of the next.
 *
 * Checkpoints: `dir/round-N/` is the runtime/train/checkpoint.ts folder of the round whose student
 * takes N steps. A round whose checkpoint is at its last step is finished: a resumed run takes its
 * weights as the next teacher and goes on, so a run killed in any round continues where it was. Each
 * round's config names the first teacher by a hash of its weights, so a resume with other weights or
 * options is refused (TRN0502, with what differs).
 *
 *   DST0201 bad --from / --to / option value      DST0401 a checkpoint exists but resume is off
 *   DST0202 the model takes inputs besides x and t (conditioning is not distilled)
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fail } from '../../compiler/core/diagnostics.ts';
import type { ModelArtifact } from '../../compiler/core/artifact.ts';
import { useBackend, type ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import type { Parameters, RunConfig } from '../train/checkpoint.ts';
import type { DataSource } from '../train/data.ts';
import { modelFunction } from '../train/model-fn.ts';
import { describeSpec, type TrainingSpec } from '../train/training-spec.ts';
import { tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import { isPowerOfTwo, roundGrids } from './grid.ts';
import { runRound, tapeEngine, type DistillEngine } from './round.ts';

export interface DistillOptions {
  readonly model: ModelArtifact;
  readonly spec: TrainingSpec;
  readonly data: DataSource;
  /** The first teacher's weights, by parameter path. */
  readonly teacher: WeightSet;
  /** DDIM steps of the first teacher and of the last student (powers of two, to < from). */
  readonly from: number;
  readonly to: number;
  readonly stepsPerRound: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly backend?: ReferenceBackend;
  /** The engine of every round, given the trainer's weight order (default: the tfjs tape on `backend`). */
  readonly engine?: (params: Parameters) => DistillEngine;
  readonly checkpoint?: { readonly dir: string; readonly every: number; readonly resume: boolean };
  /** Called when a round starts (`startStep` > 0: resumed; = stepsPerRound: finished before). */
  readonly onRound?: (teacherSteps: number, studentSteps: number, startStep: number) => void;
  readonly onStep?: (studentSteps: number, done: number, loss: number) => void;
}

export interface RoundSummary {
  readonly teacherSteps: number;
  readonly studentSteps: number;
  readonly losses: readonly number[];
  /** Step the round started from in this call (0, a checkpoint's, or stepsPerRound when it was done). */
  readonly startStep: number;
  readonly seconds: number;
}

export interface DistillResult {
  /** The last student's weights, by parameter path. */
  readonly weights: WeightSet;
  readonly rounds: readonly RoundSummary[];
}

export function checkDistillOptions(o: Pick<DistillOptions, 'from' | 'to' | 'stepsPerRound' | 'batch' | 'lr'>): void {
  if (!isPowerOfTwo(o.from)) fail('DST0201', `--from must be a power of two (the grids halve each round), got ${o.from}`);
  if (!isPowerOfTwo(o.to)) fail('DST0201', `--to must be a power of two (the grids halve each round), got ${o.to}`);
  if (o.to >= o.from) fail('DST0201', `--to (${o.to}) must be fewer steps than --from (${o.from})`);
  for (const [name, v] of [
    ['steps per round', o.stepsPerRound],
    ['batch', o.batch],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) fail('DST0201', `${name} must be an integer >= 1, got ${v}`);
  }
  if (!(o.lr > 0 && Number.isFinite(o.lr))) fail('DST0201', `the learning rate must be a positive number, got ${o.lr}`);
}

/** FNV-1a over the weights' bytes: names the first teacher in every round's config. */
function fingerprint(weights: readonly Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const w of weights) {
    for (const b of new Uint8Array(w.buffer, w.byteOffset, w.byteLength)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function roundConfig(o: DistillOptions, teacherHash: string, teacherSteps: number): RunConfig {
  return {
    kind: 'progressive-distillation',
    model: o.model.name,
    data: o.data.name,
    training: describeSpec(o.spec),
    teacher: teacherHash,
    from: o.from,
    teacherSteps,
    studentSteps: teacherSteps / 2,
    stepsPerRound: o.stepsPerRound,
    batch: o.batch,
    lr: o.lr,
    seed: o.seed,
  };
}

function refuseOverwrite(dir: string): void {
  const rounds = existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('round-')) : [];
  if (rounds.length) {
    fail(
      'DST0401',
      `${dir} already holds distillation checkpoints (${rounds.join(', ')})`,
      undefined,
      'pass --resume to continue that run, or remove the folder to start over',
    );
  }
}

export async function distill(o: DistillOptions): Promise<DistillResult> {
  checkDistillOptions(o);
  const extra = o.model.graph.params.slice(2).map((p) => String(p.attrs.name));
  if (extra.length) fail('DST0202', `model ${o.model.name} takes ${extra.join(', ')} besides x and t; only unconditional models can be distilled`);
  if (o.checkpoint && !o.checkpoint.resume) refuseOverwrite(o.checkpoint.dir);
  await useBackend(o.backend ?? 'wasm');
  await ensureGradients();
  const fn = modelFunction(o.model.graph);
  const shapeOf = new Map(o.model.parameters.map((p) => [p.path, p.type.shape as number[]]));
  const params: Parameters = { paths: fn.paths, shapes: fn.paths.map((p) => shapeOf.get(p)!) };
  const engine = o.engine?.(params) ?? tapeEngine(fn, params, o.data.itemShape, o.backend ?? 'wasm');
  let teacher: Float32Array[] = params.paths.map((p) => Float32Array.from(o.teacher.get(p)!.data));
  const teacherHash = fingerprint(teacher);
  const rounds: RoundSummary[] = [];
  for (let n = o.from, r = 0; n > o.to; n /= 2, r++) {
    const grids = roundGrids(o.spec, n);
    const ck = o.checkpoint && { dir: join(o.checkpoint.dir, `round-${n / 2}`), every: o.checkpoint.every, config: roundConfig(o, teacherHash, n) };
    const result = await runRound({
      fn,
      engine,
      params,
      teacher,
      grids,
      prediction: o.spec.prediction,
      data: o.data,
      steps: o.stepsPerRound,
      batch: o.batch,
      lr: o.lr,
      seed: o.seed,
      streamOffset: r * o.stepsPerRound,
      checkpoint: ck,
      onStep: o.onStep && ((done, loss) => o.onStep!(n / 2, done, loss)),
      onStart: o.onRound && ((start) => o.onRound!(n, n / 2, start)),
    });
    rounds.push({ teacherSteps: n, studentSteps: n / 2, losses: result.losses, startStep: result.startStep, seconds: result.seconds });
    teacher = result.weights;
  }
  return { weights: new Map(params.paths.map((p, i) => [p, tensor(params.shapes[i], teacher[i])])), rounds };
}
