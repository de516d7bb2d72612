/**
 * Stable diagnostic codes of the weights runtime: WGT00xx reading and writing safetensors files,
 * WGT01xx binding tensors to a model's parameters, WGT02xx seeded init. The table lives in
 * compiler/core/diagnostic-codes/weights.ts with every other family; this re-exports it.
 */
export { WEIGHT_CODES, type WeightCode } from '../../compiler/core/diagnostic-codes/weights.ts';
