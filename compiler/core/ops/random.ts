/**
 * randn: standard normal noise as a pure function of (seed, stream, offset, element index), drawn by
 * compiler/core/numeric/rng.ts (Philox4x32-10 + Box–Muller, exactly as docs/ir.md specifies) so that every target
 * gives the same sample for one seed. `stream` separates call sites; `offset` (e.g. the loop step)
 * separates draws of one call site. Never constant-folded: the seed is run-time data.
 * Fusion kind `elementwise` (each element is computed independently from its index).
 * FLOPs: counted as 8 per element (the Box–Muller float steps; Philox's integer work is not FLOPs).
 */
import { formatShape, isFloat, tensorType, type DType, type TensorType } from '../ir/types.ts';
import { attrDims, ioBytes, countElems } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

function requireScalarI32(t: TensorType, what: string): void {
  shapeCheck(t.dtype === 'i32' && t.shape.length === 0, () => `${what} must be i32[], got ${t.dtype}${formatShape(t.shape)}`);
}

defineOp({
  name: 'randn',
  summary: 'standard normal noise of `shape` from (seed, stream, offset): Philox4x32-10 + Box–Muller',
  attrs: {
    shape: { kind: 'dims' },
    dtype: { kind: 'string', default: 'f32' },
    stream: { kind: 'int', default: 0, help: 'distinct per call site' },
  },
  arity: [1, 2],
  fusion: 'elementwise',
  inferType: ([seed, offset], a) => {
    requireScalarI32(seed, 'seed');
    if (offset) requireScalarI32(offset, 'offset');
    const dtype = a.dtype as DType;
    shapeCheck(isFloat(dtype), () => `dtype must be f32, f16 or bf16, got ${JSON.stringify(a.dtype)}`);
    const stream = a.stream as number;
    shapeCheck(stream >= 0 && stream <= 0xffffffff, () => `stream must be in [0, 2^32), got ${stream}`);
    const shape = attrDims(a, 'shape');
    shapeCheck(
      shape.every((d) => typeof d === 'string' || d >= 1),
      () => `shape ${formatShape(shape)} needs positive dims`,
    );
    return tensorType(dtype, shape);
  },
  cost: (inputs, out) => ({ flops: 8 * countElems(out.shape), bytes: ioBytes(inputs, out) }),
  // its inputs are integers (seed, offset): nothing to send a cotangent to
  vjp: () => [undefined, undefined],
});
