import '../../compiler/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/ir/builder.ts';
import { compileForWebGPU, runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { releaseSharedDevice } from '../../runtime/webgpu/device.ts';
import { printGraph } from '../../compiler/ir/printer.ts';

const b = new GraphBuilder('g');
const x = b.param('x', t('f32', [2, 3]));
const y = b.op('silu', [b.op('add', [x, b.scalar(1)])]);
const g = b.finish([y]);
const plan = compileForWebGPU(g);
console.log(printGraph(plan.graph));
console.log(plan.kernels[0].wgsl);
const out = await runOnWebGPU(plan, { inputs: { x: [0, 1, 2, -1, -2, -3] } });
console.log(out[0]);
await releaseSharedDevice();
