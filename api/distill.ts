/**
 * The driver's side of compiled distillation: a `DistillEngine` (runtime/distill/round.ts) whose
 * student update is the regression step of compiler/training/regression.ts and whose teacher is the
 * model's forward pass, both compiled by the ONNX target and run by onnxruntime-node at the run's
 * static batch. The teacher session reads its weights as inputs, so one session serves every round
 * (each round's teacher is the previous round's student).
 */
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { tensor, type WeightSet } from '../compiler/core/tensor.ts';
import { regressionStep } from '../compiler/training/regression.ts';
import { compileForOnnx } from '../targets/onnx/compile.ts';
import type { DistillEngine } from '../runtime/distill/round.ts';
import { OnnxSession } from '../runtime/onnx/session.ts';
import type { Parameters } from '../runtime/train/checkpoint.ts';
import { applyUpdate } from '../runtime/train/compiled-step.ts';
import { graphStepRunner } from './train.ts';

/** The ONNX distillation engine of `model` at `batch` items per step, for the trainer's weight order `params`. */
export function onnxDistillEngine(model: ModelArtifact, batch: number, params: Parameters): DistillEngine {
  const [xName, tName] = model.graph.params.map((p) => String(p.attrs.name));
  const forwardArtifact = compileForOnnx(model.graph, { dims: { B: batch } });
  const step = regressionStep(model.graph, { B: batch });
  const runner = graphStepRunner('onnx', step, batch, false);
  let forward: Promise<OnnxSession> | undefined;
  return {
    name: runner.engine,
    teacher(weights) {
      const set: WeightSet = new Map(params.paths.map((p, i) => [p, tensor(params.shapes[i], weights[i])]));
      return {
        forward: async (x, t) => {
          forward ??= OnnxSession.create(forwardArtifact);
          const [out] = await (await forward).run({ inputs: { [xName]: x, [tName]: t }, weights: set });
          return out;
        },
        dispose: () => undefined,
      };
    },
    async update(weights, adam, b, lr) {
      const inputs = { [xName]: b.zt, [tName]: b.t, target: b.target, weight: b.weight, lr: Float32Array.of(lr) };
      const [loss] = await applyUpdate(runner, params.paths, weights, adam, inputs);
      return loss[0];
    },
  };
}
