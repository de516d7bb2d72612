// The reference kernel table of compiler/semantics/kernels: keyed by registered op names only, one
// kernel per name, none for unknown or structural ops, and one exactly where the op has a cost rule
// (the cost analyses count an op by its cost rule, as they once did by its reference kernel).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { allOps, hasOp } from '../../compiler/core/ops/registry.ts';
import { mergeOpTables } from '../../compiler/core/ops/op-tables.ts';
import { REFERENCE_KERNELS, hasReferenceKernel, referenceKernel, type ReferenceKernel } from '../../compiler/semantics/kernels/index.ts';

const identity: ReferenceKernel = ([x]) => tf.clone(x);

describe('reference kernel table', () => {
  it('names only registered ops', () => {
    expect([...REFERENCE_KERNELS.keys()].filter((op) => !hasOp(op))).toEqual([]);
  });

  it('has no kernel for an unknown op, nor for an Object.prototype key', () => {
    for (const op of ['no_such_op', 'toString', 'constructor']) {
      expect(referenceKernel(op), op).toBeUndefined();
      expect(hasReferenceKernel(op), op).toBe(false);
    }
  });

  it('has no kernel for the structural ops the executors interpret', () => {
    for (const op of ['param', 'weight', 'constant', 'loop', 'tuple_get', 'kernel']) expect(hasReferenceKernel(op), op).toBe(false);
  });

  it('has a kernel exactly for the ops with a cost rule', () => {
    const mismatched = allOps()
      .filter((d) => hasReferenceKernel(d.name) !== (d.cost !== undefined))
      .map((d) => d.name);
    expect(mismatched).toEqual([]);
  });

  it('refuses a kernel for a name that is not a registered op', () => {
    expect(() => mergeOpTables({ binary: { add: identity }, typos: { ad: identity } }, 'reference kernel')).toThrow(
      "reference kernel 'ad' (typos) names no registered op",
    );
  });

  it('refuses a name defined by two families', () => {
    expect(() => mergeOpTables({ binary: { add: identity }, elementwise: { add: identity } }, 'reference kernel')).toThrow(
      "reference kernel of 'add' is defined twice (again in elementwise)",
    );
  });
});
