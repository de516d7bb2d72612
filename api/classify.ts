import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { tensorOf } from '../compiler/core/ir/node.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';
import { classifierStep } from '../compiler/training/classify.ts';
import type { OptimizerOptions } from '../compiler/training/optimizer.ts';
import { compileForOnnx } from '../targets/onnx/compile.ts';
import { OnnxSession } from '../runtime/onnx/session.ts';
import type { StepRunner } from '../runtime/train/compiled-step.ts';
import { graphStepRunner, type TrainingEngine } from './train.ts';

/** The classifier's compiled step at a static batch on `engine`. */
export function classifierStepRunner(engine: TrainingEngine, model: ModelArtifact, batch: number, opts: OptimizerOptions): StepRunner {
  return graphStepRunner(engine, classifierStep(model.graph, { B: batch }, opts), batch, Boolean(opts.emaDecay));
}

/** Every output of the model for `count` images, each concatenated over the items. */
export type ClassifierForward = (weights: WeightSet, x: Float32Array, count: number) => Promise<Float32Array[]>;

/**
 * The model's forward graph compiled for onnxruntime at a chunk of `chunk` items, with its weights as
 * inputs (so one session serves every weight set). `onChunk` reports the items done.
 */
export function classifierForward(model: ModelArtifact, chunk = 500, onChunk?: (done: number, count: number) => void): ClassifierForward {
  const [x] = model.graph.params;
  const item = tensorOf(x)
    .shape.slice(1)
    .reduce(
      (p: number, d) => p * (typeof d === 'number' ? d : fail('TRN0106', `model ${model.name}'s input has the symbolic dim '${d}' besides B`)),
      1,
    );
  const artifact = compileForOnnx(model.graph, { dims: { B: chunk } });
  const widths = artifact.outputs.map((o) => o.shape.slice(1).reduce((p, d) => p * d, 1));
  let session: Promise<OnnxSession> | undefined;
  return async (weights, images, count) => {
    session ??= OnnxSession.create(artifact);
    const s = await session;
    const outs = widths.map((w) => new Float32Array(count * w));
    const name = String(x.attrs.name);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      const slab = new Float32Array(chunk * item);
      slab.set(images.subarray(start * item, (start + n) * item));
      const res = await s.run({ inputs: { [name]: slab }, weights });
      res.forEach((r, k) => outs[k].set(r.subarray(0, n * widths[k]), start * widths[k]));
      onChunk?.(start + n, count);
    }
    return outs;
  };
}
