/**
 * The reverse-mode contract of the op registry. An op declares `vjp(g, node, dy)`: the cotangent of
 * each input, given the cotangent `dy` of its output, built from other registry ops through the
 * builder `g` (compiler/autodiff implements it). Or it declares `noVjp`: why it has none. A test
 * checks that every registered op has exactly one of the two.
 *
 * Rules see the forward node in the backward graph (its inputs are the forward values there), may
 * return `undefined` for an input that has no cotangent (integer indices, boolean conditions), and
 * must return each cotangent with exactly its input's type; the autodiff checks that.
 */
import type { Attrs, Node } from '../ir/node.ts';
import type { Shape } from '../ir/types.ts';

export interface VjpBuilder {
  /** A node of the backward graph (type-checked and interned like any other). */
  op(op: string, inputs: readonly Node[], attrs?: Attrs): Node;
  /** A rank-0 f32 constant; it broadcasts against any operand. */
  scalar(value: number): Node;
  /** An i32 constant of the given values and shape (index tables for gathers). */
  ints(values: readonly number[], shape: readonly number[]): Node;
  /** An f32 constant vector (frequency tables, kernels of ones). */
  floats(values: Float32Array): Node;
  /** Sums `g` over the axes that broadcasting added or stretched to reach g's shape from `shape`. */
  unbroadcast(g: Node, shape: Shape): Node;
  /**
   * Cotangents of `inputs` for `dy` through the subgraph `forward` builds from them: how composite ops
   * (norms, attention, GELU) differentiate their decomposition into primitive ops.
   */
  through(forward: (...xs: Node[]) => Node, inputs: readonly Node[], dy: Node): (Node | undefined)[];
  /** Stops differentiation with the reason this particular node cannot be differentiated. */
  unsupported(reason: string): never;
}

export type VjpRule = (g: VjpBuilder, node: Node, dy: Node) => readonly (Node | undefined)[];
