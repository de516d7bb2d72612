/**
 * The tfjs-backend-wasm peer of the WebGPU benchmark: the benchmark's own tfjs network code (NHWC,
 * fused conv/matmul) run on the wasm backend (XNNPACK; single-threaded in Node, see
 * compiler/semantics/backend.ts). The network, weight conversion and step timing stay in
 * bench/webgpu.bench.ts and come in as hooks, so the wasm peer times exactly what the webgpu peer
 * does. The forward pass is checked against denoc's reference executor on the same weights.
 */
import { readFileSync } from 'node:fs';
import { compileSource } from '../../dsl/index.ts';
import { useBackend } from '../../compiler/semantics/backend.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import type { PeerResult } from './child.ts';

export interface WasmPeerHooks<W> {
  /** denoc's host weights (OIHW etc.) as the network's tfjs weights. */
  weights(host: ReadonlyMap<string, Float32Array>, shapes: ReadonlyMap<string, readonly number[]>): W;
  /** One forward pass on NCHW `x` (here 28×28×1, so NCHW and NHWC data coincide). */
  forward(w: W, x: Float32Array, t: number, labels: Int32Array): Promise<Float32Array>;
  /** Mean ms per DDIM step of the tfjs sampling loop. */
  timeStep(w: W): Promise<number>;
  dispose(w: W): void;
}

/** Checks and times the network of `examples/<model>.dn` at `batch` on tfjs-backend-wasm. */
export async function runWasmPeer<W>(modelName: string, batch: number, hooks: WasmPeerHooks<W>): Promise<PeerResult> {
  const program = compileSource(readFileSync(`examples/${modelName}.dn`, 'utf8'), `examples/${modelName}.dn`);
  const model = program.models[0];
  const init = initWeights(model.parameters, 0);
  const host = new Map([...init].map(([k, v]) => [k, Float32Array.from(v.data)]));
  const shapes = new Map([...init].map(([k, v]) => [k, v.shape as readonly number[]]));
  const x = Float32Array.from({ length: batch * 784 }, (_, i) => Math.sin(i * 0.1));
  const labels = Int32Array.from({ length: batch }, (_, i) => i % 10);
  // The reference runs on the cpu backend before wasm becomes the active one.
  const [ref] = await runGraph(model.graph, {
    inputs: { x, t: new Float32Array(batch).fill(400), y: labels },
    weights: init,
    dims: { B: batch },
    backend: 'cpu',
  });
  const ours = await ref.data();
  ref.dispose();
  await useBackend('wasm');
  const w = hooks.weights(host, shapes);
  const theirs = await hooks.forward(w, x, 400, labels);
  const maxForwardDiff = theirs.reduce((m, v, i) => Math.max(m, Math.abs(v - ours[i])), 0);
  const stepMs = await hooks.timeStep(w);
  hooks.dispose(w);
  return { stepMs, maxForwardDiff, threads: 1 };
}
