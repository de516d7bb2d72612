/** BENCH: codes of the benchmark peers (bench/peers): 01xx lowering a graph to ONNX (retired: the peer uses targets/onnx). */
export const BENCH_CODES = {
  BENCH0101: 'a dtype the ONNX peer does not support',
  BENCH0102: 'an unbound dim in a graph lowered to ONNX',
  BENCH0103: 'no value for a weight of the ONNX model',
  BENCH0104: 'an op without an ONNX lowering in the benchmark peer',
} as const;
