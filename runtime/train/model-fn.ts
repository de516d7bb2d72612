/**
 * A model graph as a differentiable function of its weights, for training. tf.grads records the
 * forward pass on its tape, so the graph is evaluated synchronously with tfjs here (the reference
 * executor is asynchronous and frees intermediates itself): every op through its registry
 * reference kernel, except the few with faster training kernels (train-kernels.ts). Also used by
 * api/report/calibrate.ts for the loss gradients of Taylor importance.
 *
 *   TRN0101 the graph has a loop (train the model, not a sampler)
 *   TRN0102 the graph has no weights to train
 *   TRN0103 a weight is missing from the values passed in
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../compiler/core/diagnostics.ts';
import { topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import '../../compiler/core/ops/index.ts';
import { bindInputDims } from '../reference/executor.ts';
import { applyReference } from '../../compiler/semantics/tensors.ts';
import { TRAIN_KERNELS } from '../../compiler/semantics/train-kernels.ts';

export interface ModelFunction {
  /** The graph's input names in order: the sample x, the time t, then any conditioning. */
  readonly inputs: readonly string[];
  /** Weight paths in the order `apply` takes their tensors. */
  readonly paths: readonly string[];
  /** The model's first output for `inputs` (by param name) and `weights` (in `paths` order); `dims` binds symbols the inputs do not. */
  apply(inputs: Readonly<Record<string, tf.Tensor>>, weights: readonly tf.Tensor[], dims?: Readonly<Record<string, number>>): tf.Tensor;
}

type Value = tf.Tensor | tf.Tensor[];

function constantOf(node: Node): tf.Tensor {
  const dtype = node.attrs.dtype === 'i32' ? 'int32' : 'float32';
  return tf.tensor(node.attrs.data as Float32Array | Int32Array, node.attrs.shape as number[], dtype);
}

/** Checks the graph once and returns its evaluator. */
export function modelFunction(graph: Graph): ModelFunction {
  const order = topoOrder(graph);
  const looped = order.find((n) => n.regions.length > 0);
  if (looped) fail('TRN0101', `graph @${graph.name} has a loop: train the model's denoiser graph, not a sampler`, looped.span);
  const paths = [...new Set(order.filter((n) => n.op === 'weight').map((n) => n.attrs.path as string))];
  if (paths.length === 0) fail('TRN0102', `model @${graph.name} has no weights to train`);
  const slot = new Map(paths.map((p, i) => [p, i]));

  function apply(
    inputs: Readonly<Record<string, tf.Tensor>>,
    weights: readonly tf.Tensor[],
    given: Readonly<Record<string, number>> = {},
  ): tf.Tensor {
    const dims = bindInputDims(graph, inputs, given);
    const values = new Map<Node, Value>(graph.params.map((p) => [p, inputs[p.attrs.name as string]]));
    for (const node of order) {
      if (values.has(node)) continue;
      values.set(
        node,
        evalNode(
          node,
          node.inputs.map((i) => values.get(i)!),
          weights,
          dims,
        ),
      );
    }
    return values.get(graph.outputs[0]) as tf.Tensor;
  }

  function evalNode(node: Node, inputs: Value[], weights: readonly tf.Tensor[], dims: Record<string, number>): Value {
    if (node.op === 'weight') {
      const w = weights[slot.get(node.attrs.path as string)!];
      return w ?? fail('TRN0103', `no value for weight '${String(node.attrs.path)}'`, node.span);
    }
    if (node.op === 'constant') return constantOf(node);
    if (node.op === 'tuple_get') return (inputs[0] as tf.Tensor[])[node.attrs.index as number];
    return TRAIN_KERNELS[node.op]?.(node, inputs as tf.Tensor[]) ?? applyReference(node, inputs as tf.Tensor[], dims);
  }

  return { inputs: graph.params.map((p) => p.attrs.name as string), paths, apply };
}
