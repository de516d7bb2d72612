/**
 * The ONNX target's compile step and artifacts:
 *   compileForOnnx(graph, {dims, weights})   → { model bytes, inputs, weights, outputs }
 *   writeOnnxArtifacts(graph, weights, dir)  → model.onnx (weights as initializers) + manifest.json
 * The model is standard ONNX (opset 18) with static shapes: samplers are unrolled, coefficient tables
 * are initializers and randn is exact Philox4x32-10 + Box–Muller in ONNX ops, so onnxruntime (node
 * or web) runs the whole sampler as one session.run.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import '../../compiler/core/ops/index.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import type { OnnxArtifact } from './artifact.ts';
import { lowerGraph } from './lower-graph.ts';
import { encodeModel } from './model.ts';

export interface OnnxCompileOptions {
  readonly dims?: Readonly<Record<string, number>>;
  /** Embed these weights as initializers; without them weights are graph inputs named by path. */
  readonly weights?: WeightSet;
}

export function compileForOnnx(graph: Graph, opts: OnnxCompileOptions = {}): OnnxArtifact {
  const lowered = lowerGraph(graph, opts.dims ?? {}, opts.weights);
  const proto = lowered.writer.graph(graph.name, [...lowered.inputs, ...lowered.weightInputs], lowered.outputs);
  return {
    model: encodeModel(proto),
    inputs: lowered.inputs,
    weights: lowered.weightInputs,
    outputs: lowered.outputs,
    nodeCount: lowered.writer.nodeCount,
  };
}

/**
 * `denoc compile --target onnx --out DIR`: model.onnx with the weights as initializers (one file that
 * onnxruntime-node and onnxruntime-web load as is) and manifest.json naming its inputs and outputs.
 */
export function writeOnnxArtifacts(graph: Graph, weights: WeightSet, outDir: string, opts: OnnxCompileOptions = {}): string[] {
  const artifact = compileForOnnx(graph, { ...opts, weights });
  const model = join(outDir, 'model.onnx');
  writeFileAtomic(model, artifact.model);
  const manifest = join(outDir, 'manifest.json');
  const { inputs, outputs, nodeCount } = artifact;
  writeFileAtomic(manifest, `${JSON.stringify({ graph: graph.name, opset: 18, dims: opts.dims ?? {}, inputs, outputs, nodeCount }, null, 2)}\n`);
  return [model, manifest];
}
