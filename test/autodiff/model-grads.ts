/**
 * Test helper: the gradient of a model's loss Σ model(x, t, …)·r with respect to every weight, once
 * by the IR autodiff (run on the reference executor) and once by tfjs' tape over the same graph
 * (runtime/train/model-fn.ts, the trainer's oracle), for the same inputs and weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { grad } from '../../compiler/autodiff/grad.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindShape } from '../../compiler/core/ir/types.ts';
import type { ModelArtifact } from '../../compiler/core/artifact.ts';
import { useBackend, type ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { prod, rand } from '../ops/helpers.ts';

export interface GradPair {
  readonly paths: readonly string[];
  readonly ours: Float32Array[];
  readonly theirs: Float32Array[];
}

/** The model graph with dims bound and the loss Σ y·r appended as its only output. */
function lossGraph(model: Graph, dims: Readonly<Record<string, number>>, r: Float32Array): Graph {
  const b = new GraphBuilder(`${model.name}_loss`);
  const map = new Map<Node, Node>();
  for (const p of model.params) map.set(p, b.param(p.attrs.name as string, { ...tensorOf(p), shape: bindShape(tensorOf(p).shape, dims) }, p.span));
  for (const n of topoOrder(model)) {
    if (map.has(n)) continue;
    const attrs =
      n.op === 'weight' || n.op === 'reshape' || n.op === 'broadcast_to' || n.op === 'randn'
        ? Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [k, Array.isArray(v) ? bindShape(v as (number | string)[], dims) : v]))
        : n.attrs;
    map.set(
      n,
      b.op(
        n.op,
        n.inputs.map((i) => map.get(i)!),
        attrs,
        n.span,
        n.regions,
      ),
    );
  }
  const y = map.get(model.outputs[0])!;
  const shape = tensorOf(y).shape as number[];
  return b.finish([b.op('sum', [b.op('mul', [y, b.constant(r, shape)])], { axes: shape.map((_, i) => i) })]);
}

export async function modelGradients(
  model: ModelArtifact,
  inputs: Record<string, Float32Array | Int32Array>,
  dims: Record<string, number>,
  backend: ReferenceBackend = 'cpu',
): Promise<GradPair> {
  await ensureGradients();
  await useBackend(backend);
  const weights = initWeights(model.parameters, 3);
  const outShape = bindShape(tensorOf(model.graph.outputs[0]).shape, dims) as number[];
  const r = rand(prod(outShape), 11);
  const g = grad(lossGraph(model.graph, dims, r));
  const outs = await runGraph(g.graph, { inputs, weights, dims, backend });
  const ours = outs.slice(1).map((o) => Float32Array.from(o.dataSync()));
  tf.dispose(outs);

  const fn = modelFunction(model.graph);
  const ins = Object.fromEntries(
    model.graph.params.map((p) => {
      const name = p.attrs.name as string;
      const shape = bindShape(tensorOf(p).shape, dims) as number[];
      return [name, tf.tensor(inputs[name], shape, tensorOf(p).dtype === 'i32' ? 'int32' : 'float32')];
    }),
  );
  const ws = fn.paths.map((path) => tf.tensor(weights.get(path)!.data, weights.get(path)!.shape as number[]));
  const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fn.apply(ins, xs, dims), tf.tensor(r, outShape))))(ws);
  const byPath = new Map(fn.paths.map((p, i) => [p, Float32Array.from(grads[i].dataSync())]));
  tf.dispose([...grads, ...ws, ...Object.values(ins)]);
  return { paths: g.wrt, ours, theirs: g.wrt.map((p) => byPath.get(p)!) };
}
