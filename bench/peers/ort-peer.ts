/**
 * The onnxruntime-node peer of the WebGPU benchmark: the native CPU ceiling. Builds one DDIM step
 * `x' = a·x + b·ε(x, t, y)` as an IR graph around denoc's own model graph (same weights), compiles
 * it with the ONNX target (targets/onnx) and runs it with runtime/onnx, so one session.run is one
 * sampling step; checks the forward pass against denoc's reference executor, then times steps with
 * 2 intra-op threads.
 * Run as a child: `tsx bench/peers/ort-peer.ts <model> <batch> '<coefficients JSON>'`; prints
 * `PEER {"stepMs":..,"maxForwardDiff":..}`.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import { tensorOf, type Graph } from '../../compiler/core/ir/node.ts';
import { inlineGraph } from '../../compiler/core/ir/rewrite.ts';
import { compileSource } from '../../dsl/index.ts';
import { OnnxSession } from '../../runtime/onnx/session.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { compileForOnnx } from '../../targets/onnx/compile.ts';
import type { DdimCoefficient, PeerResult } from './child.ts';

const THREADS = 2;

/** The model's params plus scalars a, b; the output x_next = a·x + b·model(x, …). */
function ddimStep(model: Graph): Graph {
  const b = new GraphBuilder(`${model.name}_ddim_step`);
  const params = new Map(model.params.map((p) => [p, b.param(p.attrs.name as string, tensorOf(p), p.span)]));
  const [eps] = inlineGraph(b, model, (p) => params.get(p)!);
  const x = [...params.values()].find((p) => p.attrs.name === 'x')!;
  const scale = (name: string) => b.param(name, t('f32', []));
  return b.finish([b.op('add', [b.op('mul', [x, scale('a')]), b.op('mul', [eps, scale('b')])])]);
}

/** Builds, checks and times the ONNX peer of `examples/<model>.dn` at `batch`. */
export async function runOrtPeer(modelName: string, batch: number, coefficients: readonly DdimCoefficient[]): Promise<PeerResult> {
  const program = compileSource(readFileSync(`examples/${modelName}.dn`, 'utf8'), `examples/${modelName}.dn`);
  const model = program.models[0];
  const init = initWeights(model.parameters, 0);
  const session = await OnnxSession.create(compileForOnnx(ddimStep(model.graph), { dims: { B: batch }, weights: init }), { threads: THREADS });
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  const step = async (x: Float32Array, t: number, a: number, b: number): Promise<Float32Array> => {
    const inputs = { x, t: new Float32Array(batch).fill(t), y: labels, a: Float32Array.of(a), b: Float32Array.of(b) };
    return (await session.run({ inputs }))[0];
  };
  // Same network: with a = 0, b = 1 the step returns the denoiser's output.
  const x0 = Float32Array.from({ length: batch * 784 }, (_, i) => Math.sin(i * 0.1));
  const theirs = await step(x0, 400, 0, 1);
  const [ref] = await runGraph(model.graph, {
    inputs: { x: x0, t: new Float32Array(batch).fill(400), y: labels },
    weights: init,
    dims: { B: batch },
    backend: 'cpu',
  });
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
