/**
 * REF: codes of the reference semantics. 00xx the ops' reference kernels (compiler/core/ops),
 * 01xx tfjs backends and gradient kernels (compiler/semantics/backend.ts, gradients.ts), 02xx the
 * graph evaluator and the reference executor (compiler/semantics/tensors.ts,
 * runtime/reference/executor.ts).
 */
export const REFERENCE_CODES = {
  REF0001: 'a symbolic dim that a reference kernel needs is not bound (pass dims to the executor)',
  REF0002: 'a dtype the reference executor cannot hold (u32: tfjs has no unsigned integers)',
  REF0003: 'a gather index out of range',
  REF0004: 'a randn seed or step that does not hold exactly one value',
  REF0101: 'an unknown reference backend name',
  REF0102: 'a tfjs backend that failed to initialize',
  REF0103: 'tfjs could not switch to the cpu backend synchronously',
  REF0104: 'the tfjs gradient kernels could not be loaded (training and Taylor importance need them)',
  REF0201: 'a graph input that is not given',
  REF0202: 'an input the graph does not take',
  REF0203: 'an input or weight value of the wrong shape, dtype or size',
  REF0204: 'a symbolic dim bound to two different sizes',
  REF0205: 'no value for a weight',
  REF0207: 'an op without a reference kernel',
  REF0208: 'a reference kernel that failed or returned a value that breaks its type',
  REF0209: 'a symbolic dim left unbound (give it in dims or through input shapes)',
  REF0210: 'a param node that the graph being run does not declare',
} as const;
