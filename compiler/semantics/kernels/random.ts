/**
 * Reference kernel of randn: reads the scalar seed (and offset) tensors and draws from
 * compiler/core/numeric/rng.ts, the same Philox4x32-10 + Box–Muller stream every target implements.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail } from '../../core/diagnostics.ts';
import { formatShape } from '../../core/ir/types.ts';
import { randn } from '../../core/numeric/rng.ts';
import { attrDims } from '../../core/ops/common.ts';
import { bindStatic, type KernelTable } from './common.ts';

/** The single value of a scalar i32 tensor. */
function scalarValue(t: tf.Tensor, what: string): number {
  if (t.size !== 1) fail('REF0004', `randn: ${what} must hold one value, got shape ${formatShape(t.shape)}`);
  return t.dataSync()[0];
}

export const RANDOM_KERNELS: KernelTable = {
  randn: ([seed, offset], a, ctx) => {
    const shape = bindStatic('randn', attrDims(a, 'shape'), ctx);
    const count = shape.reduce((p, d) => p * d, 1);
    const data = randn(scalarValue(seed, 'seed'), a.stream as number, offset ? scalarValue(offset, 'offset') : 0, count);
    return tf.tensor(data, shape, 'float32');
  },
};
