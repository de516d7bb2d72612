import { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType } from '../core/ir/types.ts';
import { bindForTraining, stepOfLoss, weightsOf, type OptimizerOptions } from './optimizer.ts';
import type { TrainingStep } from './step.ts';

export type RegressionStepOptions = Omit<OptimizerOptions, 'lrInput' | 'lr'>;

/** The loss graph: inputs w:<path>…, x, t, cond…, target, weight; output the scalar loss. */
function regressionLoss(model: Graph, paths: readonly string[]): Graph {
  const b = new GraphBuilder(`${model.name}_regression_loss`);
  const leaves = weightsOf(model);
  const w = new Map(paths.map((p) => [p, b.param(`w:${p}`, tensorOf(leaves.get(p)!))]));
  const inputs = new Map<Node, Node>(model.params.map((p) => [p, b.param(p.attrs.name as string, tensorOf(p))]));
  const [out] = inlineGraph(
    b,
    model,
    (p) => inputs.get(p)!,
    (n) => (n.op === 'weight' ? w.get(n.attrs.path as string) : undefined),
  );
  const outType = tensorOf(out);
  const target = b.param('target', outType);
  const weight = b.param('weight', tensorType('f32', [outType.shape[0]]));
  const perItem = b.op('reshape', [weight], { shape: [outType.shape[0], ...Array<number>(outType.shape.length - 1).fill(1)] });
  const err = b.op('mul', [b.op('square', [b.op('sub', [out, target])]), perItem]);
  return b.finish([b.op('mean', [err], { axes: outType.shape.map((_, i) => i) })]);
}

/** The regression step of `model` with its symbolic dims (the batch B, …) bound by `dims`; `lr` is an input. */
export function regressionStep(modelGraph: Graph, dims: Readonly<Record<string, number>>, opts: RegressionStepOptions = {}): TrainingStep {
  const { model, paths } = bindForTraining(modelGraph, dims);
  const loss = regressionLoss(model, paths);
  const graph = stepOfLoss(`${model.name}_regression_step`, loss, paths, { ...opts, lr: 0, lrInput: true });
  return { graph, paths, cond: model.params.slice(2).map((p) => p.attrs.name as string) };
}
