/**
 * The WebGPU target's capability table: the device limits and features that the fusion, memory
 * planning and kernel templates plan against. `DEFAULT_CAPABILITIES` are the WebGPU spec defaults
 * (what every device guarantees), used when compiling without a device (`denoc compile`).
 */

export interface Capabilities {
  readonly maxBufferSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxUniformBufferBindingSize: number;
  readonly minUniformBufferOffsetAlignment: number;
  /** `shader-f16`: f16 arithmetic in WGSL (denoc stores f16 tensors as f32 either way, see docs/targets.md). */
  readonly shaderF16: boolean;
  /**
   * The adapter is a CPU (lavapipe, SwiftShader): workgroup barriers are expensive coroutine
   * switches and workgroup memory is ordinary memory, so the templates pick barrier-free,
   * register-blocked variants with SIMD-sized workgroups instead of shared-memory tiles.
   */
  readonly software: boolean;
}

/** The spec's default limits (WebGPU §3.6.2), the portable floor. */
export const DEFAULT_CAPABILITIES: Capabilities = Object.freeze({
  maxBufferSize: 256 * 1024 * 1024,
  maxStorageBufferBindingSize: 128 * 1024 * 1024,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16 * 1024,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxUniformBufferBindingSize: 64 * 1024,
  minUniformBufferOffsetAlignment: 256,
  shaderF16: false,
  software: false,
});

/** What a GpuContext (runtime/webgpu/device.ts) offers, without importing the runtime here. */
export interface DeviceLike {
  readonly limits: Readonly<Record<string, number>>;
  readonly features: ReadonlySet<string>;
  readonly adapter?: { readonly software: boolean };
}

/**
 * Capabilities of a real device. Kernels are sized for the default workgroup limits even when a
 * device offers more, so one plan runs on every device; buffer and binding limits come from the device.
 */
export function capabilitiesOf(gpu: DeviceLike): Capabilities {
  const l = gpu.limits;
  return Object.freeze({
    ...DEFAULT_CAPABILITIES,
    maxBufferSize: l.maxBufferSize,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    maxUniformBufferBindingSize: l.maxUniformBufferBindingSize,
    minUniformBufferOffsetAlignment: l.minUniformBufferOffsetAlignment,
    shaderF16: gpu.features.has('shader-f16'),
    software: gpu.adapter?.software ?? false,
  });
}
