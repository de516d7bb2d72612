// Device acquisition: limits and features requested, WebGPU errors turned into DenocErrors with a
// code and the failing step, a clear install hint when no adapter exists, and the CI rule that a
// missing adapter fails instead of skipping.
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { acquireDevice, checked, throwIfFailed } from '../../runtime/webgpu/device.ts';
import { DEFAULT_CAPABILITIES } from '../../targets/webgpu/capabilities.ts';
import { gpuForTests, requireGpuInCi } from './gpu.ts';

const gpu = await gpuForTests();

function codeOf(e: unknown): string | undefined {
  return e instanceof DenocError ? e.diagnostics[0].code : undefined;
}

describe('CI policy', () => {
  it('fails instead of skipping only when CI is set', () => {
    expect(requireGpuInCi({ CI: 'true' })).toBe(true);
    expect(requireGpuInCi({ CI: '1' })).toBe(true);
    expect(requireGpuInCi({})).toBe(false);
    expect(requireGpuInCi({ CI: 'false' })).toBe(false);
  });
});

describe.skipIf(!gpu)('WebGPU device', () => {
  it('requests at least the default limits and shader-f16 when the adapter has it', () => {
    const l = gpu!.limits;
    expect(l.maxStorageBuffersPerShaderStage).toBeGreaterThanOrEqual(DEFAULT_CAPABILITIES.maxStorageBuffersPerShaderStage);
    expect(l.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(DEFAULT_CAPABILITIES.maxStorageBufferBindingSize);
    expect(l.maxComputeWorkgroupStorageSize).toBeGreaterThanOrEqual(DEFAULT_CAPABILITIES.maxComputeWorkgroupStorageSize);
    expect(gpu!.adapter.description.length + gpu!.adapter.device.length).toBeGreaterThan(0);
    if (/llvmpipe|swiftshader/i.test(`${gpu!.adapter.device} ${gpu!.adapter.description}`)) expect(gpu!.adapter.software).toBe(true);
  });

  it('turns a validation error into WG0003 naming the step', async () => {
    const { device } = gpu!;
    const err = await checked(device, 'making a bad buffer', () => device.createBuffer({ size: 6, usage: 0x80 | 0x1 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('WG0003');
    expect((err as Error).message).toMatch(/validation error while making a bad buffer/);
  });

  it('reports an uncaptured error on the next check', async () => {
    const { device } = gpu!;
    device.createShaderModule({ code: 'fn broken( {' });
    await device.queue.onSubmittedWorkDone();
    await new Promise((r) => setTimeout(r, 50));
    let err: unknown;
    try {
      throwIfFailed(device, 'compiling a broken shader');
    } catch (e) {
      err = e;
    }
    expect(codeOf(err)).toBe('WG0003');
  });

  it('says what to install when no adapter matches', async () => {
    const err = await acquireDevice({ dawnOptions: ['adapter=no-such-adapter-anywhere'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(codeOf(err)).toBe('WG0001');
    expect((err as DenocError).diagnostics[0].hint).toMatch(/mesa-vulkan-drivers/);
  });
});
