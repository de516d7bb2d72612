/** The shipped mlp2d moons teacher and an 8 -> 4 round of it (40 steps, seed 1), for the distillation tests. */
import { useBackend } from '../../compiler/semantics/backend.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { compileFile } from '../../dsl/index.ts';
import { roundGrids } from '../../runtime/distill/grid.ts';
import type { RoundOptions } from '../../runtime/distill/round.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import { bindWeights } from '../../runtime/weights/bind.ts';
import { loadWeightsFile } from '../../runtime/weights/files.ts';
import { specOfFile } from '../train/spec-of-file.ts';

export const model = compileFile('examples/mlp2d.dn').models[0];
export const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
export const teacher = bindWeights(model.parameters, loadWeightsFile('examples/weights/mlp2d-moons.safetensors'));
export const data = openDataSource('moons');

/** The round's options at `batch` items per step, with the teacher's weights as the start. */
export async function mlp2dRound(batch: number) {
  await useBackend('wasm');
  await ensureGradients();
  const fn = modelFunction(model.graph);
  const shapes = fn.paths.map((p) => model.parameters.find((q) => q.path === p)!.type.shape as number[]);
  const params = { paths: fn.paths, shapes };
  const start = fn.paths.map((p) => teacher.get(p)!.data);
  const o: RoundOptions = {
    fn,
    params,
    teacher: start,
    grids: roundGrids(spec, 8),
    prediction: spec.prediction,
    data,
    steps: 40,
    batch,
    lr: 1e-4,
    seed: 1,
    streamOffset: 0,
  };
  return { fn, params, start, o };
}
