/**
 * The regression training step as one graph: a model learns to give a target output, each item's
 * squared error weighted by a per-item factor. Distillation trains this way: the target comes from a
 * teacher on the host (two teacher DDIM steps in progressive distillation; Salimans & Ho 2022,
 * Algorithm 2) and the weight is the truncated-SNR factor (runtime/distill/target.ts).
 *
 *   step(w…, x, t, cond…, target, weight, m…, v…, step, lr) → (w'…, m'…, v'…, loss)
 *   loss = mean over items and values of weight[i]·(model(x, t, cond…) − target)²
 *
 * The learning rate is an input (distillation decays it linearly over a round); clipping, Adam and an
 * optional EMA are optimizer.ts's, as in the diffusion step (step.ts).
 */
import { fail } from '../core/diagnostics.ts';
import { bindGraphDims, unboundDims } from '../core/ir/bind-dims.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType } from '../core/ir/types.ts';
import { grad } from '../autodiff/grad.ts';
import { adamUpdate, type OptimizerOptions } from './optimizer.ts';
import { weightsOf, type TrainingStep } from './step.ts';

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
  const model = bindGraphDims(modelGraph, dims);
  const unbound = unboundDims(model);
  if (unbound.length)
    fail('TRN0104', `model @${model.name} has unbound dims ${unbound.join(', ')}: a training step needs static shapes (bind the batch)`);
  const paths = [...weightsOf(model).keys()];
  if (paths.length === 0) fail('TRN0102', `model @${model.name} has no weights to train`);
  const loss = regressionLoss(model, paths);
  const g = grad(loss, { wrt: paths.map((p) => `w:${p}`) });
  const b = new GraphBuilder(`${model.name}_regression_step`);
  const inputs = new Map<string, Node>();
  const [lossOut, ...rawGrads] = inlineGraph(b, g.graph, (p) => {
    const node = b.param(p.attrs.name as string, tensorOf(p), p.span);
    inputs.set(p.attrs.name as string, node);
    return node;
  });
  const w = paths.map((p) => inputs.get(`w:${p}`)!);
  const updated = adamUpdate(b, paths, w, rawGrads, { ...opts, lr: 0, lrInput: true });
  const cond = model.params.slice(2).map((p) => p.attrs.name as string);
  return { graph: b.finish([...updated, lossOut]), paths, cond };
}
