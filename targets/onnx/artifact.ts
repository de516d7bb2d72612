/**
 * What the ONNX target hands the runtime: the encoded model and the names, element types and static
 * shapes of its inputs and outputs. Types only, so runtime/onnx reads artifacts without importing
 * the compile step.
 */
import type { OnnxValueInfo } from './model.ts';

export type { OnnxValueInfo } from './model.ts';

export interface OnnxArtifact {
  /** ModelProto bytes (opset 18, IR version 8). */
  readonly model: Uint8Array;
  /** The graph's params, in order (seed, class labels, …). */
  readonly inputs: readonly OnnxValueInfo[];
  /** The weights the model reads as graph inputs, named by path; empty when they are initializers. */
  readonly weights: readonly OnnxValueInfo[];
  /** `out0`, `out1`, … in the graph's output order. */
  readonly outputs: readonly OnnxValueInfo[];
  /** ONNX nodes in the model (after unrolling). */
  readonly nodeCount: number;
}
