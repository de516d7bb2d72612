/**
 * Test helper for WebGPU suites: acquires the shared device once per file. Without an adapter the
 * suites skip with the reason printed — except under CI=true, where a missing adapter fails the run,
 * so CI can never pass by silently skipping every GPU test.
 */
import { afterAll } from 'vitest';
import { probeWebGPU, releaseSharedDevice, type GpuContext } from '../../runtime/webgpu/device.ts';

export function requireGpuInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** The shared device, or undefined (tests skip) — throws instead under CI=true. */
export async function gpuForTests(): Promise<GpuContext | undefined> {
  const probe = await probeWebGPU();
  if (probe.ok) {
    afterAll(releaseSharedDevice);
    return probe.gpu;
  }
  if (requireGpuInCi()) throw new Error(`CI=true but no WebGPU device: ${probe.reason}`);
  console.warn(`skipping WebGPU tests: ${probe.reason}`);
  return undefined;
}
