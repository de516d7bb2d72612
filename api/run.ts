/**
 * Running an optimized sampler graph on a chosen target: the reference executor (tfjs, cpu or wasm),
 * WebGPU (compiled for the shared device's limits, then run by runtime/webgpu) or ONNX (compiled to
 * one unrolled model, then run on onnxruntime-node by runtime/onnx). Also the
 * reference runner that target artifacts use to record the outputs they must reproduce.
 */
import type { Graph } from '../compiler/core/ir/node.ts';
import { allNodesDeep } from '../compiler/core/ir/node.ts';
import { checkBoundSizes } from '../compiler/core/ir/bind-dims.ts';
import type { Tensor, WeightSet } from '../compiler/core/tensor.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { compileForOnnx } from '../targets/onnx/compile.ts';
import type { ReferenceRunner } from '../targets/stablehlo/artifacts.ts';
import { capabilitiesOf } from '../targets/webgpu/capabilities.ts';
import { compileForWebGPU } from '../targets/webgpu/compile.ts';
import { inlineKernels } from '../targets/webgpu/passes/fuse.ts';
import { runOnOnnx } from '../runtime/onnx/session.ts';
import { runGraph } from '../runtime/reference/executor.ts';
import { sharedDevice } from '../runtime/webgpu/device.ts';
import { runOnWebGPU } from '../runtime/webgpu/executor.ts';

export type RunTarget = 'reference' | 'webgpu' | 'onnx';

export interface SamplerRunOptions {
  readonly target: RunTarget;
  /** Reference executor backend (ignored on WebGPU and ONNX). */
  readonly backend?: ReferenceBackend;
  readonly inputs: Readonly<Record<string, Tensor>>;
  readonly weights: WeightSet;
  readonly dims: Readonly<Record<string, number>>;
  readonly onStep?: (i: number, count: number) => void;
}

/** The sampler's (first) output as a Float32Array. */
export async function runSampler(graph: Graph, opts: SamplerRunOptions): Promise<Float32Array> {
  checkBoundSizes(graph, opts.dims);
  if (opts.target === 'webgpu') {
    const gpu = await sharedDevice();
    const plan = compileForWebGPU(graph, { dims: opts.dims, caps: capabilitiesOf(gpu) });
    const inputs = Object.fromEntries(Object.entries(opts.inputs).map(([k, v]) => [k, v.data]));
    const [out] = await runOnWebGPU(plan, { inputs, weights: opts.weights, gpu, onStep: opts.onStep });
    return out;
  }
  if (opts.target === 'onnx') {
    // One session.run draws the whole unrolled sampler: its steps are reported done when it returns.
    const inputs = Object.fromEntries(Object.entries(opts.inputs).map(([k, v]) => [k, v.data]));
    const [out] = await runOnOnnx(compileForOnnx(graph, { dims: opts.dims }), { inputs, weights: opts.weights });
    const steps = allNodesDeep(graph).find((n) => n.op === 'loop')?.attrs.count as number | undefined;
    if (steps) opts.onStep?.(steps - 1, steps);
    return out;
  }
  const [out] = await runGraph(graph, {
    backend: opts.backend,
    inputs: opts.inputs,
    weights: opts.weights,
    dims: opts.dims,
    onStep: opts.onStep,
  });
  const data = (await out.data()) as Float32Array;
  out.dispose();
  return data;
}

/** The reference executor's outputs for an artifact's inputs (fused kernels are inlined first). */
export const referenceRunner: ReferenceRunner = async (graph, inputs, weights, dims) => {
  const runnable = allNodesDeep(graph).some((n) => n.op === 'kernel') ? inlineKernels(graph) : graph;
  const outputs = await runGraph(runnable, { inputs, weights, dims });
  return outputs.map((o) => {
    const data = o.dataSync() as Float32Array | Int32Array;
    o.dispose();
    return data instanceof Float32Array ? data : Int32Array.from(data);
  });
};
