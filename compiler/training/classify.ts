/**
 * The classifier training step as one graph, compiled like the diffusion step (step.ts):
 *
 *   classify_step(w…, x, labels, m…, v…, [ema…], step) → (w'…, m'…, v'…, [ema'…], loss, correct)
 *
 * The model (inlined, its weights turned into inputs) maps x to logits z [B, C] as its first output;
 * the loss is the mean softmax cross-entropy  logsumexp(z) − z_y, with logsumexp shifted by the row
 * maximum so that exp never overflows, and z_y picked by a one-hot mask built in the graph
 * (equal(labels[B, 1], [0 … C−1]) cast to f32), so labels are fed as i32 class ids. Its gradient comes
 * from the IR autodiff; the update is the Adam and EMA of optimizer.ts. `correct` counts the items whose
 * true class has the largest logit (ties count as correct), so the loop reports training accuracy free.
 */
import { fail } from '../core/diagnostics.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { unboundDims } from '../core/ir/bind-dims.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType } from '../core/ir/types.ts';
import { bindForTraining, stepOfLoss, weightsOf, type OptimizerOptions } from './optimizer.ts';
import type { TrainingStep } from './step.ts';

/** The checked classifier: one input x, logits [B, C] as the first output. */
function checkClassifier(model: Graph): { x: Node; batch: number; classes: number } {
  const unbound = unboundDims(model);
  if (unbound.length)
    fail('TRN0104', `model @${model.name} has unbound dims ${unbound.join(', ')}: a training step needs static shapes (bind the batch)`);
  const [x] = model.params;
  const logits = model.outputs[0] ? tensorOf(model.outputs[0]) : undefined;
  const xs = x ? tensorOf(x).shape : [];
  if (model.params.length !== 1 || !logits || logits.dtype !== 'f32' || logits.shape.length !== 2 || logits.shape[0] !== xs[0]) {
    fail('TRN0106', `model @${model.name} must take one input x: f32[B, …] and return logits f32[B, classes] first to be trained as a classifier`);
  }
  return { x, batch: xs[0] as number, classes: logits.shape[1] as number };
}

/** The loss graph: inputs w:<path>…, x, labels; outputs the mean cross-entropy and the count of correct items. */
function lossGraph(model: Graph, paths: readonly string[]): Graph {
  const { x: xParam, batch, classes } = checkClassifier(model);
  const b = new GraphBuilder(`${model.name}_xent`);
  const leaves = weightsOf(model);
  const w = new Map(paths.map((p) => [p, b.param(`w:${p}`, tensorOf(leaves.get(p)!))]));
  const x = b.param('x', tensorOf(xParam));
  const labels = b.param('labels', tensorType('i32', [batch]));
  const [z] = inlineGraph(
    b,
    model,
    () => x,
    (n) => (n.op === 'weight' ? w.get(n.attrs.path as string) : undefined),
  );
  const ids = b.constant(
    Int32Array.from({ length: classes }, (_, i) => i),
    [1, classes],
  );
  const oneHot = b.op('cast', [b.op('equal', [b.op('reshape', [labels], { shape: [batch, 1] }), ids])], { dtype: 'f32' });
  const top = b.op('reduce_max', [z], { axes: [1], keepdims: true });
  const lse = b.op('add', [
    b.op('reshape', [top], { shape: [batch] }),
    b.op('log', [b.op('sum', [b.op('exp', [b.op('sub', [z, top])])], { axes: [1] })]),
  ]);
  const picked = b.op('sum', [b.op('mul', [z, oneHot])], { axes: [1] });
  const loss = b.op('mean', [b.op('sub', [lse, picked])], { axes: [0] });
  const hit = b.op('cast', [b.op('equal', [b.op('reshape', [picked], { shape: [batch, 1] }), top])], { dtype: 'f32' });
  const correct = b.op('sum', [hit], { axes: [0, 1] });
  return b.finish([loss, correct]);
}

/** The loss graph alone (for checking its value and gradient against the reference executor). */
export function classifierLoss(modelGraph: Graph, dims: Readonly<Record<string, number>>): { graph: Graph; paths: string[] } {
  const { model, paths } = bindForTraining(modelGraph, dims);
  return { graph: lossGraph(model, paths), paths };
}

/** The classifier training step of `model` with its batch dim bound by `dims`. */
export function classifierStep(modelGraph: Graph, dims: Readonly<Record<string, number>>, opts: OptimizerOptions): TrainingStep {
  const { graph: loss, paths } = classifierLoss(modelGraph, dims);
  return { graph: stepOfLoss(`${modelGraph.name}_classify_step`, loss, paths, opts), paths, cond: [] };
}
