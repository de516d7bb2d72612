/**
 * Test helper: the training spec of a model in a .dn file, as `denoc train` computes it (from the
 * compiled program's artifacts).
 */
import { compileFile } from '../../dsl/index.ts';
import { trainingSpec, type TrainingSpec } from '../../runtime/train/training-spec.ts';

export function specOfFile(file: string, modelName: string, samplerName?: string): TrainingSpec {
  const program = compileFile(file);
  const model = program.models.find((m) => m.name === modelName);
  if (!model) throw new Error(`${file} has no model ${modelName}`);
  return trainingSpec(model, program.samplers, samplerName);
}
