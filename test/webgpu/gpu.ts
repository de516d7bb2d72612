/**
 * Test helper for WebGPU suites: acquires the shared device once per file. Without an adapter the
 * suites skip with the reason printed — except under CI=true, where a missing adapter fails the run,
 * so CI can never pass by silently skipping every GPU test.
 * After every test the device's queue is drained: vitest cannot stop a test that timed out, so its
 * submitted work (a whole sampler is one submit) would otherwise run ahead of the next test's and
 * eat that test's time. The drain runs under the hook timeout, charged to the test that left the work.
 */
import { afterAll, afterEach } from 'vitest';
import { probeWebGPU, releaseSharedDevice, type GpuContext } from '../../runtime/webgpu/device.ts';

export function requireGpuInCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/** The shared device, or undefined (tests skip) — throws instead under CI=true. */
export async function gpuForTests(): Promise<GpuContext | undefined> {
  const probe = await probeWebGPU();
  if (probe.ok) {
    const { device } = probe.gpu;
    afterEach(() => device.queue.onSubmittedWorkDone());
    afterAll(releaseSharedDevice);
    return probe.gpu;
  }
  if (requireGpuInCi()) throw new Error(`CI=true but no WebGPU device: ${probe.reason}`);
  console.warn(`skipping WebGPU tests: ${probe.reason}`);
  return undefined;
}
