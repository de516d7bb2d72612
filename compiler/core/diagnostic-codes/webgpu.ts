/**
 * WG: codes of the WebGPU target and runtime. 00xx the device and GPU errors (runtime/webgpu),
 * 01xx code generation (targets/webgpu), 02xx running a plan: weights and inputs (runtime/webgpu)
 * and compiled artifacts loaded by the web runner (web/).
 */
export const WEBGPU_CODES = {
  WG0001: 'no WebGPU adapter (the hint says what to install)',
  WG0002: 'the adapter refused a device',
  WG0003: 'a WebGPU validation error, naming the step',
  WG0004: 'the WebGPU device was lost',
  WG0005: 'out of GPU memory, naming the step',
  WG0006: 'an internal GPU error, naming the step',
  WG0007: 'generated WGSL does not compile (kernel name, line, message)',
  WG0101: 'a symbolic dim reached the WebGPU code generator unbound',
  WG0102: 'an op without a WebGPU lowering',
  WG0103: 'an op not supported on WebGPU',
  WG0104: 'a loop nested in a loop body',
  WG0200: 'a weight that was not provided',
  WG0201: 'a weight with the wrong number of values',
  WG0202: 'an input that was not provided',
  WG0203: 'an input with the wrong number of values',
  WG0210: 'a malformed or unreachable compiled WebGPU artifact (web runner)',
} as const;
