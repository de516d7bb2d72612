/**
 * WGSL expressions for the unary elementwise ops: math functions, activations (relu, silu, gelu),
 * square and cast. Each emitter returns the value of `node` at output index `idx`.
 *
 * Accuracy notes: sin/cos reduce their argument first (TRIG_WGSL in lower-context.ts); tanh avoids
 * the cancellation of the (e^2x − 1)/(e^2x + 1) form near 0 (Cephes tanhf's polynomial there).
 */
import type { KernelWriter } from '../wgsl.ts';
import { convert, lit } from '../wgsl-util.ts';
import { type ExprEmitter, expr, inputAt, type LoweringTable, TRIG_WGSL, typeOf } from '../lower-context.ts';

const TANH_WGSL = `
fn tanh_s(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.625f) {
    let z = x * x;
    return ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
  }
  return sign(x) * (1.0f - 2.0f / (exp(min(2.0f * a, 88.0f)) + 1.0f));
}`;

// erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
const ERF_WGSL = `
fn erf_s(x: f32) -> f32 {
  let a = abs(x);
  let t = 1.0f / (1.0f + 0.3275911f * a);
  let p = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  return sign(x) * (1.0f - p * exp(-a * a));
}`;

function unary(f: (x: string, t: string, w: KernelWriter) => string): ExprEmitter {
  return (w, node, idx) => f(inputAt(w, node, 0, idx), typeOf(node), w);
}

const sigmoid = (x: string): string => `(1.0f / (1.0f + exp(-${x})))`;

const gelu: ExprEmitter = (w, node, idx) => {
  const x = inputAt(w, node, 0, idx);
  if (node.attrs.approximate === 'none') {
    w.helper('erf', ERF_WGSL);
    return `(0.5f * ${x} * (1.0f + erf_s(${x} * 0.70710678118654752f)))`;
  }
  w.helper('tanh', TANH_WGSL);
  return `(0.5f * ${x} * (1.0f + tanh_s(0.79788456080286536f * (${x} + 0.044715f * ${x} * ${x} * ${x}))))`;
};

export const ELEMENTWISE_LOWERINGS: LoweringTable = {
  neg: expr(unary((x) => `-(${x})`)),
  abs: expr(unary((x) => `abs(${x})`)),
  exp: expr(unary((x) => `exp(${x})`)),
  log: expr(unary((x) => `log(${x})`)),
  sqrt: expr(unary((x) => `sqrt(${x})`)),
  rsqrt: expr(unary((x) => `inverseSqrt(${x})`)),
  sin: expr(
    unary((x, _, w) => {
      w.helper('trig', TRIG_WGSL);
      return `sin_s(${x})`;
    }),
  ),
  cos: expr(
    unary((x, _, w) => {
      w.helper('trig', TRIG_WGSL);
      return `cos_s(${x})`;
    }),
  ),
  tanh: expr(
    unary((x, _, w) => {
      w.helper('tanh', TANH_WGSL);
      return `tanh_s(${x})`;
    }),
  ),
  sigmoid: expr(unary((x) => sigmoid(x))),
  silu: expr(unary((x) => `(${x} * ${sigmoid(x)})`)),
  relu: expr(unary((x, t) => `max(${x}, ${lit(0, t as 'f32')})`)),
  square: expr(unary((x) => `(${x} * ${x})`)),
  gelu: expr(gelu),
  cast: expr((w, node, idx) => convert(inputAt(w, node, 0, idx), typeOf(node.inputs[0]), typeOf(node))),
};
