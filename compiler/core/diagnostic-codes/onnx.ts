/**
 * ONNX: codes of the ONNX target (targets/onnx) and its onnxruntime runtime (runtime/onnx). 00xx compile
 * checks (static shapes, element types, lowering coverage), 01xx a lowering that fails on a node, 02xx
 * binding weights and inputs to a compiled model.
 */
export const ONNX_CODES = {
  ONNX0001: 'a symbolic dim left unbound (the ONNX model is specialized to static shapes)',
  ONNX0002: 'an op without an ONNX lowering, or one the target does not support',
  ONNX0003: 'an element type the ONNX target does not emit (f32, i32 and bool are supported)',
  ONNX0101: 'a lowering that cannot handle its node (the message names the op)',
  ONNX0201: 'a weight missing or of the wrong size for an ONNX model',
  ONNX0202: 'an input missing or of the wrong size for an ONNX model being run',
} as const;
