/**
 * Structural ops: graph leaves (param, weight, constant), the sampling loop region and tuple access.
 * The executors interpret these directly; they carry no reference kernel.
 */
import { defineOp, shapeCheck } from './registry.ts';
import { tensorType, tupleType, type DType, type TupleType, type Type } from '../ir/types.ts';
import type { Attrs } from '../ir/node.ts';

const leafType = (a: Attrs): Type => tensorType(a.dtype as DType, a.shape as (number | string)[]);

defineOp({
  name: 'param',
  summary: 'a graph input, bound by name at run time',
  attrs: { name: { kind: 'string' }, dtype: { kind: 'string' }, shape: { kind: 'dims' } },
  arity: 0,
  fusion: 'opaque',
  noVjp: 'a leaf: autodiff stops here and reports its cotangent when asked for it',
  inferType: (_, a) => leafType(a),
});

defineOp({
  name: 'weight',
  summary: 'a trained parameter, bound by dotted path from a weights file',
  attrs: { path: { kind: 'string' }, dtype: { kind: 'string' }, shape: { kind: 'dims' } },
  arity: 0,
  fusion: 'opaque',
  noVjp: 'a leaf: autodiff stops here and reports its cotangent when asked for it',
  inferType: (_, a) => leafType(a),
});

defineOp({
  name: 'constant',
  summary: 'a compile-time tensor (coefficient tables, folded values)',
  attrs: { data: { kind: 'data' }, dtype: { kind: 'string' }, shape: { kind: 'dims' } },
  arity: 0,
  fusion: 'opaque',
  noVjp: 'a leaf: constants take no cotangent',
  inferType: (_, a) => {
    const data = a.data as Float32Array | Int32Array;
    const shape = a.shape as number[];
    const n = shape.reduce((p, d) => p * d, 1);
    shapeCheck(n === data.length, `constant has ${data.length} values but shape [${shape.join(',')}]`);
    return leafType(a);
  },
});

defineOp({
  name: 'loop',
  summary: 'runs its body `count` times; inputs are (...initial carried values, ...captures)',
  attrs: { count: { kind: 'int' }, carried: { kind: 'int' } },
  arity: 'variadic',
  fusion: 'opaque',
  noVjp: 'reverse mode through sampling loops is not supported: differentiate the model graph (training steps call the model, not the sampler)',
  inferType: (inputs, a) => {
    const carried = a.carried as number;
    shapeCheck(carried >= 1 && carried <= inputs.length, `loop carries ${carried} of ${inputs.length} inputs`);
    shapeCheck((a.count as number) >= 0, `loop count must be >= 0`);
    return tupleType(inputs.slice(0, carried));
  },
});

defineOp({
  name: 'tuple_get',
  summary: 'element `index` of a tuple-typed node (a loop result)',
  attrs: { index: { kind: 'int' } },
  arity: 1,
  fusion: 'opaque',
  acceptsTuple: true,
  noVjp: 'reads a loop result; reverse mode does not cross loops',
  inferType: (inputs, a) => {
    const t = inputs[0] as unknown as TupleType;
    const i = a.index as number;
    shapeCheck(t.kind === 'tuple' && i >= 0 && i < t.elements.length, `tuple_get index ${i} out of range`);
    return t.elements[i];
  },
});

defineOp({
  name: 'kernel',
  summary: 'a fused kernel: its region holds the fused subgraph (written by the WebGPU fuse pass)',
  attrs: { name: { kind: 'string' }, dtype: { kind: 'string' }, shape: { kind: 'dims' } },
  arity: 'variadic',
  fusion: 'opaque',
  noVjp: 'fused kernels are formed by a target after autodiff: differentiate the unfused graph',
  inferType: (_, a) => leafType(a),
});
