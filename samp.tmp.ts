import { compileFile } from './dsl/index.ts';
import { initWeights } from './runtime/weights/init.ts';
import { compileForWebGPU, runOnWebGPU } from './runtime/webgpu/executor.ts';
import { releaseSharedDevice } from './runtime/webgpu/device.ts';
import { runGraph } from './runtime/reference/executor.ts';
import { printGraph } from './compiler/ir/printer.ts';
const f = process.argv[2] ?? 'mlp2d';
const B = Number(process.argv[3] ?? 4);
const p = compileFile(`examples/${f}.dn`);
const s = p.samplers[0];
const w = initWeights(p.models[0].parameters, 7);
const weights = new Map([...w].map(([k, v]) => [k, Float32Array.from(v.data)]));
const inputs: any = {}, refInputs: any = {};
for (const prm of s.graph.params) {
  const t = prm.type as any; const shape = t.shape.map((d: any) => (typeof d === 'string' ? B : d));
  const n = shape.reduce((a: number, b: number) => a * b, 1);
  const data = t.dtype === 'i32' ? Int32Array.from({ length: n }, (_, i) => (prm.attrs.name === 'seed' ? 42 : i % 10)) : new Float32Array(n).fill(1);
  inputs[prm.attrs.name] = data; refInputs[prm.attrs.name] = { data, shape };
}
let t0 = performance.now();
const plan = compileForWebGPU(s.graph, { dims: { B } });
if (process.argv[4]) console.log(printGraph(plan.graph, { elideConstantsOver: 4 }));
console.log(f, plan.stats);
const [gpu] = await runOnWebGPU(plan, { inputs, weights });
console.log('gpu ms', (performance.now() - t0).toFixed(0));
t0 = performance.now();
const [ref] = await runGraph(s.graph, { inputs: refInputs, weights, dims: { B } });
const r = ref.dataSync();
console.log('ref ms', (performance.now() - t0).toFixed(0));
let maxErr = 0, maxRef = 0, worstRel = 0;
for (let i = 0; i < r.length; i++) { const e = Math.abs(r[i] - gpu[i]); maxErr = Math.max(maxErr, e); maxRef = Math.max(maxRef, Math.abs(r[i])); worstRel = Math.max(worstRel, e / (1e-3 + Math.abs(r[i]))); }
console.log(f, 'max abs err', maxErr, 'max |ref|', maxRef, 'worst rel', worstRel, 'sample', Array.from(gpu.slice(0, 4)), Array.from(r.slice(0, 4)));
await releaseSharedDevice();
