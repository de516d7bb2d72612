/**
 * The onnxruntime-node peer of the WebGPU benchmark: the native CPU ceiling. Builds the denoiser
 * as an ONNX model by lowering denoc's own model graph (same weights), appends the DDIM update
 * `x' = a·x + b·ε` so one session.run is one sampling step, checks the forward pass against
 * denoc's reference executor, then times steps with 2 intra-op threads.
 * Run as a child: `tsx bench/peers/ort-peer.ts <model> <batch> '<coefficients JSON>'`; prints
 * `PEER {"stepMs":..,"maxForwardDiff":..}`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { compileSource } from '../../dsl/index.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { lowerGraphToOnnx } from './onnx-lower.ts';
import { encodeModel, type OnnxModel } from './onnx-writer.ts';
import type { DdimCoefficient, PeerResult } from './child.ts';

const THREADS = 2;

/** `model` plus scalar inputs a, b and the output x_next = a·x + b·out0. */
function withDdimUpdate(model: OnnxModel): OnnxModel {
  const scalar = (name: string): OnnxModel['inputs'][number] => ({ name, dtype: 'f32', dims: [] });
  return {
    ...model,
    nodes: [...model.nodes,
      { op: 'Mul', inputs: ['x', 'a'], outputs: ['ddim_ax'] },
      { op: 'Mul', inputs: ['out0', 'b'], outputs: ['ddim_beps'] },
      { op: 'Add', inputs: ['ddim_ax', 'ddim_beps'], outputs: ['x_next'] }],
    inputs: [...model.inputs, scalar('a'), scalar('b')],
    outputs: [{ ...model.outputs[0], name: 'x_next' }],
  };
}

/** Builds, checks and times the ONNX peer of `examples/<model>.dn` at `batch`. */
export async function runOrtPeer(modelName: string, batch: number, coefficients: readonly DdimCoefficient[]): Promise<PeerResult> {
  const program = compileSource(readFileSync(`examples/${modelName}.dn`, 'utf8'), `examples/${modelName}.dn`);
  const model = program.models[0];
  const init = initWeights(model.parameters, 0);
  const host = new Map([...init].map(([k, v]) => [k, Float32Array.from(v.data)]));
  const bytes = encodeModel(withDdimUpdate(lowerGraphToOnnx(model.graph, host, { B: batch })));
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: THREADS, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
  });
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const y = new ort.Tensor('int32', labels, [batch]);
  const scalar = (v: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(v), []);
  const step = async (x: Float32Array, t: number, a: number, b: number): Promise<Float32Array> => {
    const feeds = { x: new ort.Tensor('float32', x, [batch, 1, 28, 28]), t: new ort.Tensor('float32', new Float32Array(batch).fill(t), [batch]), y, a: scalar(a), b: scalar(b) };
    return (await session.run(feeds)).x_next.data as Float32Array;
  };
  // Same network: with a = 0, b = 1 the step returns the denoiser's output.
  const x0 = Float32Array.from({ length: batch * 784 }, (_, i) => Math.sin(i * 0.1));
  const theirs = await step(x0, 400, 0, 1);
  const [ref] = await runGraph(model.graph, { inputs: { x: x0, t: new Float32Array(batch).fill(400), y: labels }, weights: init, dims: { B: batch }, backend: 'cpu' });
  const ours = await ref.data();
  ref.dispose();
  const maxForwardDiff = theirs.reduce((m, v, i) => Math.max(m, Math.abs(v - ours[i])), 0);
  const sample = async (): Promise<number> => {
    let x: Float32Array = Float32Array.from({ length: batch * 784 }, (_, i) => Math.cos(i * 0.37));
    const t0 = performance.now();
    for (const c of coefficients) x = await step(x, c.t, c.a, c.b);
    return (performance.now() - t0) / coefficients.length;
  };
  await sample();
  const stepMs = await sample();
  await session.release();
  return { stepMs, maxForwardDiff, threads: THREADS };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [modelName, batch, coefficients] = process.argv.slice(2);
  console.log(`PEER ${JSON.stringify(await runOrtPeer(modelName, Number(batch), JSON.parse(coefficients) as DdimCoefficient[]))}`);
  process.exit(0);
}
