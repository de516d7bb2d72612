/**
 * WGSL expressions for the broadcasting binary ops (arithmetic, min/max, comparisons), where and
 * broadcast_to. Operands are read at the index numpy broadcasting maps the output index to, so a
 * broadcast never materializes.
 */
import type { KernelWriter } from '../wgsl.ts';
import { staticShape } from '../wgsl-util.ts';
import { broadcastIndex, type ExprEmitter, expr, inputAt, type LoweringTable, typeOf } from '../lower-context.ts';

// pow for negative bases with integral exponents, as tfjs computes it.
const POW_WGSL = `
fn pow_s(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  let r = pow(abs(a), b);
  if (a >= 0.0f) { return r; }
  if (b != round(b)) { return f32_bits(0x7fc00000u); }
  return select(r, -r, (abs(b) % 2.0f) == 1.0f);
}`;

function binary(f: (a: string, b: string, t: string, w: KernelWriter) => string): ExprEmitter {
  return (w, node, idx) => f(inputAt(w, node, 0, idx), inputAt(w, node, 1, idx), typeOf(node.inputs[0]), w);
}

export const BINARY_LOWERINGS: LoweringTable = {
  add: expr(binary((a, b) => `(${a} + ${b})`)),
  sub: expr(binary((a, b) => `(${a} - ${b})`)),
  mul: expr(binary((a, b) => `(${a} * ${b})`)),
  div: expr(binary((a, b) => `(${a} / ${b})`)),
  pow: expr(
    binary((a, b, t, w) => {
      w.helper('pow', POW_WGSL);
      return t === 'f32' ? `pow_s(${a}, ${b})` : `${t}(round(pow_s(f32(${a}), f32(${b}))))`;
    }),
  ),
  min: expr(binary((a, b) => `min(${a}, ${b})`)),
  max: expr(binary((a, b) => `max(${a}, ${b})`)),
  less: expr(binary((a, b) => `(${a} < ${b})`)),
  greater: expr(binary((a, b) => `(${a} > ${b})`)),
  equal: expr(binary((a, b) => `(${a} == ${b})`)),
  where: expr((w, node, idx) => `select(${inputAt(w, node, 2, idx)}, ${inputAt(w, node, 1, idx)}, ${inputAt(w, node, 0, idx)})`),
  broadcast_to: expr((w, node, idx) => w.value(node.inputs[0], broadcastIndex(node.inputs[0], staticShape(node), idx))),
};
