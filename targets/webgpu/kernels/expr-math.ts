/**
 * WGSL expressions for the arithmetic ops of the catalog: unary math, binary arithmetic with
 * broadcasting, comparisons, where, cast, gelu, randn (Philox on the GPU) and timestep_embedding.
 * Each emitter returns the value of `node` at output index `idx`, reading its inputs through the
 * writer so that fused producers are computed in place.
 *
 * Accuracy notes: WGSL only promises ~2^-11 absolute error for sin/cos inside [-π, π] and nothing
 * outside, so sin/cos reduce their argument first; tanh avoids the cancellation of the
 * (e^2x − 1)/(e^2x + 1) form near 0 (Cephes tanhf's polynomial there).
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import { tensorOf } from '../../../compiler/core/ir/node.ts';
import { embeddingFrequencies } from '../../../compiler/core/ops/embedding.ts';
import type { KernelWriter } from '../wgsl.ts';
import { convert, lit, staticShape, valueType } from '../wgsl-util.ts';
import { PHILOX_WGSL } from './philox.ts';

export type ExprEmitter = (w: KernelWriter, node: Node, idx: readonly string[]) => string;

/**
 * The index into `input` that numpy broadcasting reads for output index `idx` of shape `out`.
 * A stretched axis reads 0; an axis of size 1 on both sides keeps the output's index expression
 * (also 0), so a value read at the kernel's own index is recognized as the same element.
 */
export function broadcastIndex(input: Node, out: readonly number[], idx: readonly string[]): string[] {
  const shape = staticShape(input);
  const lead = out.length - shape.length;
  return shape.map((d, i) => (d === 1 && out[lead + i] !== 1 ? '0u' : idx[lead + i]));
}

/** Value of input `k` of `node`, broadcast to `node`'s shape. */
function arg(w: KernelWriter, node: Node, k: number, idx: readonly string[]): string {
  return w.value(node.inputs[k], broadcastIndex(node.inputs[k], staticShape(node), idx));
}

const typeOf = (n: Node): 'f32' | 'i32' | 'u32' | 'bool' => valueType(tensorOf(n).dtype);

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

// Cody–Waite reduction by 2π with a two-part constant (6.28125 has few bits, so k·C1 is exact).
const TRIG_WGSL = `
fn reduce_2pi(x: f32) -> f32 {
  let k = round(x * 0.15915494309189535f);
  return (x - k * 6.28125f) - k * 0.0019353071795864769f;
}
fn sin_s(x: f32) -> f32 { return sin(reduce_2pi(x)); }
fn cos_s(x: f32) -> f32 { return cos(reduce_2pi(x)); }`;

// pow for negative bases with integral exponents, as tfjs computes it.
const POW_WGSL = `
fn pow_s(a: f32, b: f32) -> f32 {
  if (b == 0.0f) { return 1.0f; }
  let r = pow(abs(a), b);
  if (a >= 0.0f) { return r; }
  if (b != round(b)) { return f32_bits(0x7fc00000u); }
  return select(r, -r, (abs(b) % 2.0f) == 1.0f);
}`;

function unary(f: (x: string, t: string, w: KernelWriter) => string): ExprEmitter {
  return (w, node, idx) => f(arg(w, node, 0, idx), typeOf(node), w);
}

function binary(f: (a: string, b: string, t: string, w: KernelWriter) => string): ExprEmitter {
  return (w, node, idx) => f(arg(w, node, 0, idx), arg(w, node, 1, idx), typeOf(node.inputs[0]), w);
}

const sigmoid = (x: string): string => `(1.0f / (1.0f + exp(-${x})))`;

export const MATH_EXPRS: Readonly<Record<string, ExprEmitter>> = {
  neg: unary((x) => `-(${x})`),
  abs: unary((x) => `abs(${x})`),
  exp: unary((x) => `exp(${x})`),
  log: unary((x) => `log(${x})`),
  sqrt: unary((x) => `sqrt(${x})`),
  rsqrt: unary((x) => `inverseSqrt(${x})`),
  sin: unary((x, _, w) => { w.helper('trig', TRIG_WGSL); return `sin_s(${x})`; }),
  cos: unary((x, _, w) => { w.helper('trig', TRIG_WGSL); return `cos_s(${x})`; }),
  tanh: unary((x, _, w) => { w.helper('tanh', TANH_WGSL); return `tanh_s(${x})`; }),
  sigmoid: unary((x) => sigmoid(x)),
  silu: unary((x) => `(${x} * ${sigmoid(x)})`),
  relu: unary((x, t) => `max(${x}, ${lit(0, t as 'f32')})`),
  square: unary((x) => `(${x} * ${x})`),
  gelu: (w, node, idx) => {
    const x = arg(w, node, 0, idx);
    if (node.attrs.approximate === 'none') {
      w.helper('erf', ERF_WGSL);
      return `(0.5f * ${x} * (1.0f + erf_s(${x} * 0.70710678118654752f)))`;
    }
    w.helper('tanh', TANH_WGSL);
    return `(0.5f * ${x} * (1.0f + tanh_s(0.79788456080286536f * (${x} + 0.044715f * ${x} * ${x} * ${x}))))`;
  },
  cast: (w, node, idx) => convert(arg(w, node, 0, idx), typeOf(node.inputs[0]), typeOf(node)),
  add: binary((a, b) => `(${a} + ${b})`),
  sub: binary((a, b) => `(${a} - ${b})`),
  mul: binary((a, b) => `(${a} * ${b})`),
  div: binary((a, b) => `(${a} / ${b})`),
  pow: binary((a, b, t, w) => {
    w.helper('pow', POW_WGSL);
    return t === 'f32' ? `pow_s(${a}, ${b})` : `${t}(round(pow_s(f32(${a}), f32(${b}))))`;
  }),
  min: binary((a, b) => `min(${a}, ${b})`),
  max: binary((a, b) => `max(${a}, ${b})`),
  less: binary((a, b) => `(${a} < ${b})`),
  greater: binary((a, b) => `(${a} > ${b})`),
  equal: binary((a, b) => `(${a} == ${b})`),
  where: (w, node, idx) => `select(${arg(w, node, 2, idx)}, ${arg(w, node, 1, idx)}, ${arg(w, node, 0, idx)})`,
  randn: emitRandn,
  timestep_embedding: emitTimestepEmbedding,
};

/** Flat row-major element number of `idx` in `shape`. */
function flatIndex(w: KernelWriter, shape: readonly number[], idx: readonly string[]): string {
  return w.let(w.offset(shape, idx), 'f');
}

function emitRandn(w: KernelWriter, node: Node, idx: readonly string[]): string {
  w.helper('philox', PHILOX_WGSL);
  const seed = w.value(node.inputs[0], []);
  const offset = node.inputs[1] ? `bitcast<u32>(${w.value(node.inputs[1], [])})` : '0u';
  const e = flatIndex(w, staticShape(node), idx);
  return `randn_at(bitcast<u32>(${seed}), ${(node.attrs.stream as number) >>> 0}u, ${offset}, ${e})`;
}

function emitTimestepEmbedding(w: KernelWriter, node: Node, idx: readonly string[]): string {
  w.helper('trig', TRIG_WGSL);
  const dim = node.attrs.dim as number;
  const half = dim / 2;
  const freqs = embeddingFrequencies(dim, node.attrs.maxPeriod as number);
  const table = w.moduleConst(node, (n) => `const ${n} = array<f32, ${half}>(${Array.from(freqs, (f) => lit(f, 'f32')).join(', ')});`);
  const t = w.value(node.inputs[0], [idx[0]]);
  const j = idx[1];
  const first = w.let(`${j} < ${half}u`, 'h');
  const k = w.let(`select(${j} - ${half}u, ${j}, ${first})`, 'k');
  const a = w.let(`${t} * ${table}[${k}]`, 'a');
  return `select(sin_s(${a}), cos_s(${a}), ${first})`;
}
