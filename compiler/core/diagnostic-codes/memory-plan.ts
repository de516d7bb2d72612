/**
 * MP: codes of the WebGPU memory plan (targets/webgpu/passes/memory-plan.ts), which checks every
 * buffer and kernel against the device limits.
 */
export const MEMORY_PLAN_CODES = {
  MP0001: 'a tensor over the maxStorageBufferBindingSize or maxBufferSize limit',
  MP0002: 'a kernel that binds more storage buffers than maxStorageBuffersPerShaderStage',
  MP0003: 'a symbolic shape reached memory-plan (bind the dims first)',
} as const;
