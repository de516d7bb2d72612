import { compileFile } from './dsl/index.ts';
import { initWeights } from './runtime/weights/init.ts';
import { compileForWebGPU, runOnWebGPU } from './runtime/webgpu/executor.ts';
import { releaseSharedDevice } from './runtime/webgpu/device.ts';
import { runGraph } from './runtime/reference/executor.ts';

for (const f of (process.argv[2] ?? 'mlp2d').split(',')) {
  const p = compileFile(`examples/${f}.dn`);
  const m = p.models[0];
  const w = initWeights(m.parameters, 7);
  const weights = new Map([...w].map(([k, v]) => [k, Float32Array.from(v.data)]));
  const B = 2;
  const dims = { B };
  const inputs: Record<string, Float32Array | Int32Array> = {};
  const refInputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }> = {};
  for (const prm of m.graph.params) {
    const t = prm.type as any; const shape = t.shape.map((d: any) => (typeof d === 'string' ? dims[d as 'B'] : d));
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    const data = t.dtype === 'i32' ? Int32Array.from({ length: n }, (_, i) => i % 10) : Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * (prm.attrs.name === 't' ? 400 : 1) + (prm.attrs.name === 't' ? 500 : 0));
    inputs[prm.attrs.name as string] = data; refInputs[prm.attrs.name as string] = { data, shape };
  }
  let t0 = performance.now();
  const plan = compileForWebGPU(m.graph, { dims });
  console.log(f, 'compile ms', (performance.now() - t0).toFixed(0), plan.stats);
  t0 = performance.now();
  const [gpu] = await runOnWebGPU(plan, { inputs, weights });
  console.log('gpu first ms', (performance.now() - t0).toFixed(0)); t0 = performance.now(); await runOnWebGPU(plan, { inputs, weights });
  console.log('gpu ms', (performance.now() - t0).toFixed(0));
  t0 = performance.now();
  const [ref] = await runGraph(m.graph, { inputs: refInputs, weights });
  const r = ref.dataSync();
  console.log('ref ms', (performance.now() - t0).toFixed(0));
  let maxErr = 0, maxRef = 0;
  for (let i = 0; i < r.length; i++) { maxErr = Math.max(maxErr, Math.abs(r[i] - gpu[i])); maxRef = Math.max(maxRef, Math.abs(r[i])); }
  console.log(f, 'max abs err', maxErr, 'max |ref|', maxRef);
}
await releaseSharedDevice();
