import './runtime/reference/executor.ts';
import { sharedDevice, releaseSharedDevice } from './runtime/webgpu/device.ts';
let t0 = performance.now();
const gpu = await sharedDevice();
console.log('device', (performance.now() - t0).toFixed(0));
await releaseSharedDevice();
