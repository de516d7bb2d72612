/**
 * Calibration for the data-aware compression options, computed on the reference executor:
 *   collectCalibration — Σ xᵀx of the inputs of every linear / 1×1-conv layer (low-rank
 *                        `activationAware` whitening), by running a probe graph whose outputs are
 *                        those inputs;
 *   collectGradients   — ∂L/∂W of the mean squared error against given targets (prune
 *                        `importance=taylor`, Molchanov et al. 2019, "Importance Estimation for
 *                        Neural Network Pruning"), by differentiating a loop-free graph with tfjs.
 * Both read the model (denoiser) graph; layers inside loop bodies are not visited, so calibrate the
 * model and apply the statistics to the sampler: weight paths are the same in both.
 * collectGradients loads tfjs' gradient kernels on demand (compiler/semantics/gradients.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../compiler/core/diagnostics.ts';
import { topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { matrixSite, type MatrixSite } from '../../compiler/linalg/layers.ts';
import { runGraph, type TensorSource } from '../../runtime/reference/executor.ts';
import { useBackend } from '../../compiler/semantics/backend.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import type { Calibration, InputGram } from '../../compiler/report/types.ts';

export type Batch = Readonly<Record<string, TensorSource>>;

/** Sites whose inputs the whitening can use: per-row products (no transposeA) at the top level. */
function calibrationSites(model: Graph): MatrixSite[] {
  return topoOrder(model)
    .map(matrixSite)
    .filter((s): s is MatrixSite => !!s && !s.node.attrs.transposeA);
}

/** The input vectors a site multiplies, as rows of an [rows, m] matrix. */
function inputRows(site: MatrixSite, x: tf.Tensor): tf.Tensor2D {
  if (site.kind === 'linear') return tf.reshape(x, [-1, site.m]);
  const [sh, sw] = site.node.attrs.stride as number[];
  const [n, c, h, w] = x.shape;
  const sampled = sh === 1 && sw === 1 ? x : tf.stridedSlice(x, [0, 0, 0, 0], [n, c, h, w], [1, 1, sh, sw]);
  return tf.reshape(tf.transpose(sampled, [0, 2, 3, 1]), [-1, site.m]);
}

export async function collectCalibration(
  model: Graph,
  weights: WeightSet,
  batches: readonly Batch[],
  dims: Readonly<Record<string, number>> = {},
): Promise<Calibration> {
  const sites = calibrationSites(model);
  const xs = [...new Set(sites.map((s) => s.node.inputs[0]))];
  const probe: Graph = { name: `${model.name}.calibration`, params: model.params, outputs: xs };
  const acc = new Map<string, { gram: Float64Array; dim: number; samples: number }>();
  for (const batch of batches) {
    const outs = await runGraph(probe, { inputs: batch, weights, dims });
    for (const site of sites) {
      const x = outs[xs.indexOf(site.node.inputs[0])];
      const rows = tf.tidy(() => inputRows(site, x));
      const g = tf.tidy(() => tf.matMul(rows, rows, true, false));
      const data = await g.data();
      const entry = acc.get(site.key) ?? { gram: new Float64Array(site.m * site.m), dim: site.m, samples: 0 };
      data.forEach((v, i) => {
        entry.gram[i] += v;
      });
      entry.samples += rows.shape[0];
      acc.set(site.key, entry);
      tf.dispose([rows, g]);
    }
    tf.dispose(outs);
  }
  return { inputGram: acc as ReadonlyMap<string, InputGram> };
}

/**
 * Σ over batches of ∂/∂W mean((f(x) − target)²) for every weight of the model's first output.
 * Targets are what the denoiser should predict (e.g. the noise that made x_t from data).
 */
export async function collectGradients(
  model: Graph,
  weights: WeightSet,
  batches: readonly { inputs: Batch; target: Float32Array }[],
  dims: Readonly<Record<string, number>> = {},
): Promise<Map<string, Float32Array>> {
  await useBackend('cpu');
  await ensureGradients();
  const fn = modelFunction(model);
  const leaves = topoOrder(model).filter((n) => n.op === 'weight');
  const paths = fn.paths;
  const sums = new Map(paths.map((p) => [p, new Float32Array(weights.get(p)?.data.length ?? 0)]));
  for (const { inputs, target } of batches) {
    const given = Object.fromEntries(model.params.map((p) => [p.attrs.name as string, toTensor(inputs[p.attrs.name as string], p)]));
    const ws = paths.map((p) => {
      const node = leaves.find((n) => n.attrs.path === p)!;
      const data = weights.get(p)?.data;
      if (!data) return fail('CPR0502', `collectGradients: no value for weight '${p}'`, node.span);
      return tf.tensor(data, node.attrs.shape as number[]);
    });
    const loss = (...w: tf.Tensor[]): tf.Scalar => {
      const out = fn.apply(given, w, dims);
      return tf.mean(tf.square(tf.sub(out, tf.tensor(target, out.shape)))) as tf.Scalar;
    };
    const grads = tf.grads(loss)(ws);
    for (const [i, g] of grads.entries()) {
      const sum = sums.get(paths[i])!;
      (await g.data()).forEach((v, k) => {
        sum[k] += v;
      });
    }
    tf.dispose([...grads, ...ws, ...Object.values(given)]);
  }
  return sums;
}

function toTensor(source: TensorSource | undefined, p: Node): tf.Tensor {
  if (source === undefined) return fail('CPR0503', `collectGradients: missing input '${String(p.attrs.name)}'`, p.span);
  if (source instanceof tf.Tensor) return tf.clone(source);
  const data = ArrayBuffer.isView(source) ? source : (source as { data: ArrayLike<number> }).data;
  const shape = !ArrayBuffer.isView(source) ? (source as { shape?: readonly number[] }).shape : undefined;
  if (!shape) return fail('CPR0503', `collectGradients: input '${String(p.attrs.name)}' needs a shape`, p.span);
  const dtype = p.attrs.dtype === 'i32' ? 'int32' : 'float32';
  return tf.tensor(dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data), [...shape], dtype);
}
