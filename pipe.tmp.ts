import { compileFile } from './dsl/index.ts';
import { compileForWebGPU } from './runtime/webgpu/executor.ts';
import { sharedDevice, releaseSharedDevice } from './runtime/webgpu/device.ts';
const p = compileFile(`examples/mlp2d.dn`);
const plan = compileForWebGPU(p.models[0].graph, { dims: { B: 2 } });
const gpu = await sharedDevice();
for (const k of plan.kernels) {
  const t0 = performance.now();
  const module = gpu.device.createShaderModule({ code: k.wgsl });
  const pl = await gpu.device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  console.log(k.name, k.template, k.wgsl.split('\n').length, 'lines', (performance.now() - t0).toFixed(0), 'ms');
}
console.log(plan.kernels.find(k => k.template === 'matmul')!.wgsl);
await releaseSharedDevice();
