/**
 * WebGPU lowering of matmul: it anchors the matmul template (kernels/matmul.ts, on the tiled GEMM
 * skeleton), with fused producers as operand loads and fused consumers as its epilogue.
 */
import { type LoweringTable, template } from '../lower-context.ts';

export const LINALG_LOWERINGS: LoweringTable = {
  matmul: template('matmul'),
};
