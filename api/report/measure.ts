/**
 * End-to-end error of an approximation, on the reference executor: the relative L2 error
 * ‖approx − exact‖ / ‖exact‖ of a graph's first output, summed over several input batches.
 * Inputs are synthesised from the graph's params by the conventions of docs/language.md: an i32
 * scalar is the sampler seed, other i32 tensors are class labels, an f32 vector [B] is the timestep
 * (spread over 0 … T−1), and any other f32 tensor is standard normal (noisy images, contexts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf, type Graph } from '../../compiler/core/ir/node.ts';
import { bindShape, formatType } from '../../compiler/core/ir/types.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import type { ReferenceBackend } from '../../compiler/semantics/backend.ts';
import type { Dims } from '../../compiler/report/graph-stats.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

export interface InputOptions {
  readonly dims: Dims;
  readonly seed: number;
  /** Number of class labels (default 10). */
  readonly classes?: number;
  /** Timesteps are spread over [0, timesteps) (default 1000). */
  readonly timesteps?: number;
}

export type Inputs = Record<string, { data: Float32Array | Int32Array; shape: number[] }>;

/** One batch of inputs for every param of `graph`; `batchIndex` varies the values between batches. */
export function syntheticInputs(graph: Graph, opts: InputOptions, batchIndex = 0): Inputs {
  const inputs: Inputs = {};
  graph.params.forEach((p, k) => {
    const type = tensorOf(p);
    const bound = bindShape(type.shape, opts.dims);
    if (bound.some((d) => typeof d !== 'number')) {
      fail('CPR0401', `input '${String(p.attrs.name)}: ${formatType(type)}' needs its dims bound for the error measurement (give dims)`, p.span);
    }
    const shape = bound as number[];
    const n = shape.reduce((a, d) => a * d, 1);
    const classes = opts.classes ?? 10,
      T = opts.timesteps ?? 1000;
    let data: Float32Array | Int32Array;
    if (type.dtype === 'i32' && shape.length === 0) data = Int32Array.of(opts.seed);
    else if (type.dtype === 'i32') data = Int32Array.from({ length: n }, (_, i) => (i + batchIndex * 3) % classes);
    else if (shape.length === 1) data = Float32Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5 + batchIndex * 0.37) / n) * T) % T);
    else data = randn(opts.seed + 1000 * batchIndex, 4096 + k, 0, n);
    inputs[String(p.attrs.name)] = { data, shape };
  });
  return inputs;
}

export async function firstOutput(
  graph: Graph,
  inputs: Inputs,
  weights: WeightSet,
  dims: Dims,
  backend: ReferenceBackend = 'cpu',
): Promise<Float32Array> {
  const outs = await runGraph(graph, { inputs, weights, dims, backend });
  const data = Float32Array.from((await outs[0].data()) as Float32Array);
  tf.dispose(outs);
  return data;
}

/** Accumulates ‖a − e‖² and ‖e‖² over batches. */
class ErrorMeter {
  private num = 0;
  private den = 0;
  add(approx: Float32Array, exact: Float32Array): void {
    for (let i = 0; i < exact.length; i++) {
      this.num += (approx[i] - exact[i]) ** 2;
      this.den += exact[i] ** 2;
    }
  }
  get relative(): number {
    return this.den > 0 ? Math.sqrt(this.num / this.den) : Math.sqrt(this.num);
  }
}

export interface Compared {
  readonly exact: Graph;
  readonly exactWeights: WeightSet;
  readonly approx: Graph;
  readonly approxWeights: WeightSet;
}

/** Relative L2 error of `approx` against `exact` over `batches` synthetic input batches. */
export async function relativeError(c: Compared, batches: number, opts: InputOptions, backend?: ReferenceBackend): Promise<number> {
  const meter = new ErrorMeter();
  for (let i = 0; i < batches; i++) {
    const inputs = syntheticInputs(c.exact, opts, i);
    const exact = await firstOutput(c.exact, inputs, c.exactWeights, opts.dims, backend);
    meter.add(await firstOutput(c.approx, inputs, c.approxWeights, opts.dims, backend), exact);
  }
  return meter.relative;
}
