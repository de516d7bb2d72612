/**
 * The driver's side of compiled training: builds the training step graph of a model for a run's
 * options (compiler/training/step.ts) and wraps an engine that executes it as the trainer's
 * `StepRunner`: the reference executor (tfjs, cpu or wasm; the oracle) or onnxruntime (the fastest
 * engine on a CPU machine), which runs the step compiled by the ONNX target.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { planRemat, type RematMode, type RematPlan } from '../compiler/passes/remat.ts';
import { trainingStep, type TrainingStep, type TrainingStepOptions } from '../compiler/training/step.ts';
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
  /** Gradient checkpointing of the step graph (compiler/passes/remat.ts); absent: none, and no report. */
  readonly remat?: RematMode;
  /** Told the remat plan (peak activation memory and extra FLOPs) once the step graph is built. */
  readonly onRemat?: (plan: RematPlan) => void;
}

export type TrainingEngine = 'reference' | 'onnx';

/** The training step graph of `model` for a run's options, at its static batch. */
export function stepGraph(model: ModelArtifact, o: CompiledTrainingOptions) {
  const opts: TrainingStepOptions = { prediction: o.spec.prediction, lr: o.lr, emaDecay: o.emaDecay, clipNorm: o.clipNorm };
  const step = trainingStep(model.graph, { B: o.batch }, opts);
  if (!o.remat) return step;
  const plan = planRemat(step.graph, o.remat);
  o.onRemat?.(plan);
  return { ...step, graph: plan.graph };
}

/** One line: the step's peak activation memory and FLOPs without and with the remat plan. */
export function describeRemat(plan: RematPlan, mode: string): string {
  const mib = (b: number): string => `${(b / 2 ** 20).toFixed(2)} MiB`;
  const { before, after } = plan;
  return (
    `remat ${mode}: peak activation memory ${mib(before.activationPeakBytes)} -> ${mib(after.activationPeakBytes)} ` +
    `(${(before.activationPeakBytes / after.activationPeakBytes).toFixed(2)}x less), ${plan.checkpoints.size} checkpoints, ` +
    `extra FLOPs ${((100 * after.recomputeFlops) / before.flops).toFixed(1)}% of ${(before.flops / 1e9).toFixed(2)} GFLOP per step`
  );
}

/** The compiled step of `model` on `engine`. */
export function stepRunner(engine: TrainingEngine, model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  return engine === 'onnx' ? onnxStepRunner(model, o) : referenceStepRunner(model, o);
}

/**
 * A step graph (diffusion, classifier or regression step) at a static batch as the trainer's
 * `StepRunner`: compiled by the ONNX target and run by onnxruntime-node, or run by the reference executor.
 */
export function graphStepRunner(
  engine: TrainingEngine,
  step: TrainingStep,
  batch: number,
  withEma: boolean,
  backend: ReferenceBackend = 'wasm',
): StepRunner {
  if (engine === 'onnx') {
    const artifact = compileForOnnx(step.graph, { dims: { B: batch } });
    let session: Promise<OnnxSession> | undefined;
    return {
      engine: 'graph/onnx',
      paths: step.paths,
      withEma,
      async run(inputs) {
        session ??= OnnxSession.create(artifact);
        return (await session).run({ inputs });
      },
    };
  }
  return {
    engine: `graph/reference-${backend}`,
    paths: step.paths,
    withEma,
    async run(inputs) {
      const outs = await runGraph(step.graph, { inputs, backend });
      const data = outs.map((t) => Float32Array.from(t.dataSync() as Float32Array));
      tf.dispose(outs);
      return data;
    },
  };
}

/** The step graph of `model` at a static batch, compiled by the ONNX target and run by onnxruntime-node. */
export function onnxStepRunner(model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  return graphStepRunner('onnx', stepGraph(model, o), o.batch, Boolean(o.emaDecay));
}

/** The step graph of `model` at a static batch, run by the reference executor. */
export function referenceStepRunner(model: ModelArtifact, o: CompiledTrainingOptions): StepRunner {
  return graphStepRunner('reference', stepGraph(model, o), o.batch, Boolean(o.emaDecay), o.backend ?? 'wasm');
}
