/**
 * Compile-time evaluation of single nodes on host data, for passes (fold-constants) that replace
 * computations by their values. Synchronous, because passes are; always on the tfjs cpu backend so
 * that folded tables do not depend on which backend a program happened to select.
 */
import type { Node } from '../core/ir/node.ts';
import { tensorOf } from '../core/ir/node.ts';
import type { Tensor } from '../core/tensor.ts';
import { withCpuBackend } from './backend.ts';
import { applyReference, toHost, toTensor } from './tensors.ts';

/** `node`'s value for the given input values, by its reference kernel (compiler/semantics/kernels). */
export function evaluateNode(node: Node, inputs: readonly Tensor[]): Tensor {
  const dtype = tensorOf(node).dtype;
  return withCpuBackend(() => {
    const tensors = inputs.map(toTensor);
    try {
      const out = applyReference(node, tensors, {});
      const host = toHost(out, dtype);
      if (!tensors.includes(out)) out.dispose();
      return host;
    } finally {
      for (const t of tensors) t.dispose();
    }
  });
}
