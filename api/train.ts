/**
 * The driver's side of compiled training: builds the training step graph of a model for a run's
 * options (compiler/training/step.ts) and wraps an engine that executes it as the trainer's
 * `StepRunner`. Today's engine is the reference executor (tfjs, cpu or wasm); targets add theirs here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { trainingStep, type TrainingStepOptions } from '../compiler/training/step.ts';
import { runGraph } from '../runtime/reference/executor.ts';
import type { StepRunner } from '../runtime/train/compiled-step.ts';
import type { TrainingSpec } from '../runtime/train/training-spec.ts';

export interface CompiledTrainingOptions {
  readonly spec: TrainingSpec;
  readonly batch: number;
  readonly lr: number;
  readonly emaDecay?: number;
  readonly clipNorm?: number;
  readonly backend?: ReferenceBackend;
}

/** The step graph of `model` at a static batch, run by the reference executor. */
export function referenceStepRunner(model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  const opts: TrainingStepOptions = { prediction: o.spec.prediction, lr: o.lr, emaDecay: o.emaDecay, clipNorm: o.clipNorm };
  const step = trainingStep(model.graph, { B: o.batch }, opts);
  const backend = o.backend ?? 'wasm';
  return {
    engine: `graph/reference-${backend}`,
    paths: step.paths,
    withEma: Boolean(o.emaDecay),
    async run(inputs) {
      const outs = await runGraph(step.graph, { inputs, backend });
      const data = outs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
      tf.dispose(outs);
      return data;
    },
  };
}
