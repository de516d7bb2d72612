/**
 * The driver's side of compiled training: builds the training step graph of a model for a run's
 * options (compiler/training/step.ts) and wraps an engine that executes it as the trainer's
 * `StepRunner`: the reference executor (tfjs, cpu or wasm; the oracle) or onnxruntime (the fastest
 * engine on a CPU machine), which runs the step compiled by the ONNX target.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { trainingStep, type TrainingStepOptions } from '../compiler/training/step.ts';
import { compileForOnnx } from '../targets/onnx/compile.ts';
import { OnnxSession } from '../runtime/onnx/session.ts';
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

export type TrainingEngine = 'reference' | 'onnx';

/** The training step graph of `model` for a run's options, at its static batch. */
export function stepGraph(model: ModelArtifact, o: CompiledTrainingOptions) {
  const opts: TrainingStepOptions = { prediction: o.spec.prediction, lr: o.lr, emaDecay: o.emaDecay, clipNorm: o.clipNorm };
  return trainingStep(model.graph, { B: o.batch }, opts);
}

/** The compiled step of `model` on `engine`. */
export function stepRunner(engine: TrainingEngine, model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  return engine === 'onnx' ? onnxStepRunner(model, o) : referenceStepRunner(model, o);
}

/** The step graph of `model` at a static batch, compiled by the ONNX target and run by onnxruntime-node. */
export function onnxStepRunner(model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  const step = stepGraph(model, o);
  const artifact = compileForOnnx(step.graph, { dims: { B: o.batch } });
  let session: Promise<OnnxSession> | undefined;
  return {
    engine: 'graph/onnx',
    paths: step.paths,
    withEma: Boolean(o.emaDecay),
    async run(inputs) {
      session ??= OnnxSession.create(artifact);
      return (await session).run({ inputs });
    },
  };
}

/** The step graph of `model` at a static batch, run by the reference executor. */
export function referenceStepRunner(model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  const step = stepGraph(model, o);
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
