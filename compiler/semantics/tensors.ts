/**
 * The bridge between IR values and tfjs tensors for the reference executor and for compile-time
 * evaluation (fold-constants): dtype mapping, host tensors to and from tfjs, and one checked call of an op's
 * reference kernel (its result must have the shape and dtype the op's type rule promised).
 */
import * as tf from '@tensorflow/tfjs-core';
import { DenocError, fail } from '../core/diagnostics.ts';
import type { Node } from '../core/ir/node.ts';
import { formatSpan } from '../core/ir/span.ts';
import { bindShape, formatShape, isFloat, type DType, type Shape } from '../core/ir/types.ts';
import type { Tensor } from '../core/tensor.ts';
import { referenceKernel } from './kernels/index.ts';

/** f16/bf16 compute as f32 in the reference; u32 as i32. */
export function tfDtype(dtype: DType): tf.DataType {
  if (isFloat(dtype)) return 'float32';
  return dtype === 'bool' ? 'bool' : 'int32';
}

/** Typed data for tf.tensor: bools as 0/1 bytes, ints as Int32Array, floats as Float32Array. */
export function tfData(data: ArrayLike<number>, dtype: DType): Float32Array | Int32Array | Uint8Array {
  if (isFloat(dtype)) return data instanceof Float32Array ? data : Float32Array.from(data);
  if (dtype === 'bool') return Uint8Array.from(data, (v) => (v ? 1 : 0));
  return data instanceof Int32Array ? data : Int32Array.from(data);
}

export function toTensor(h: Tensor): tf.Tensor {
  return tf.tensor(tfData(h.data, h.dtype), [...h.shape], tfDtype(h.dtype));
}

/** Reads a tensor back synchronously (cpu/wasm) in the host layout of `dtype`. */
export function toHost(t: tf.Tensor, dtype: DType): Tensor {
  const raw = t.dataSync();
  const data = isFloat(dtype) ? Float32Array.from(raw as ArrayLike<number>) : Int32Array.from(raw as ArrayLike<number>);
  return { data, shape: [...t.shape], dtype };
}

/** Adds the node's span to diagnostics that lack one, so kernel errors point at the DSL. */
function withSpan(e: DenocError, node: Node): DenocError {
  return new DenocError(e.diagnostics.map((d) => (d.span || !node.span ? d : { ...d, span: node.span })));
}

/**
 * Runs `node`'s reference kernel on `inputs` and checks the result against the node's type with
 * `dims` bound (symbols still unbound are not checked).
 */
export function applyReference(node: Node, inputs: tf.Tensor[], dims: Readonly<Record<string, number>>): tf.Tensor {
  const kernel = referenceKernel(node.op);
  if (!kernel) fail('REF0207', `op '${node.op}' has no reference kernel`, node.span);
  let out: tf.Tensor;
  try {
    out = kernel(inputs, node.attrs, { dims });
  } catch (e) {
    if (e instanceof DenocError) throw withSpan(e, node);
    fail('REF0208', `reference kernel of '${node.op}' failed at ${formatSpan(node.span)}: ${(e as Error).message}`, node.span);
  }
  if (node.type.kind !== 'tensor') return out;
  const expected: Shape = bindShape(node.type.shape, dims);
  const shapeOk = out.shape.length === expected.length && expected.every((d, i) => typeof d === 'string' || d === out.shape[i]);
  if (!shapeOk || out.dtype !== tfDtype(node.type.dtype)) {
    out.dispose();
    fail(
      'REF0208',
      `reference kernel of '${node.op}' returned ${out.dtype}${formatShape(out.shape)} but its type is ${node.type.dtype}${formatShape(expected)}`,
      node.span,
    );
  }
  return out;
}
