/**
 * Lowerings of the unary elementwise ops: math functions, activations (relu, silu, gelu), square and
 * cast. Each reads one input of the result's shape, so no broadcasting is needed.
 */
import type { DType } from '../../../compiler/core/ir/types.ts';
import { full, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import { elemOfDType } from '../types.ts';
import type { FnWriter, UnaryName, Value } from '../writer.ts';

const unaryOp = (name: UnaryName): LoweringEntry => lower(({ w, inputs }) => w.unary(name, inputs[0]));

/** √(2/π), the GELU tanh-approximation constant (Hendrycks & Gimpel 2016). */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * erf by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7): sign(x)(1 - t(a1 + t(a2 + ...))e^{-x²}),
 * t = 1/(1 + p|x|). StableHLO has no erf op (JAX goes through chlo.erf), so it is spelled out here.
 */
const AS_P = 0.3275911;
const AS_A = [0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429];

function erf(w: FnWriter, x: Value): Value {
  const c = (v: number): Value => full(w, v, x.type);
  const ax = w.unary('abs', x);
  const t = w.binary('divide', c(1), w.binary('add', c(1), w.binary('multiply', c(AS_P), ax)));
  let poly = c(AS_A[4]);
  for (let i = 3; i >= 0; i--) poly = w.binary('add', w.binary('multiply', poly, t), c(AS_A[i]));
  poly = w.binary('multiply', poly, t);
  const e = w.unary('exponential', w.unary('negate', w.binary('multiply', ax, ax)));
  const y = w.binary('subtract', c(1), w.binary('multiply', poly, e));
  return w.binary('multiply', w.unary('sign', x), y);
}

function gelu({ w, inputs, attrs }: LowerCtx): Value {
  const x = inputs[0];
  const c = (v: number): Value => full(w, v, x.type);
  const half = w.binary('multiply', x, c(0.5));
  if (attrs.approximate === 'none') {
    return w.binary('multiply', half, w.binary('add', c(1), erf(w, w.binary('multiply', x, c(Math.SQRT1_2)))));
  }
  const cube = w.binary('multiply', x, w.binary('multiply', x, x));
  const inner = w.binary('multiply', c(SQRT_2_OVER_PI), w.binary('add', x, w.binary('multiply', c(0.044715), cube)));
  return w.binary('multiply', half, w.binary('add', c(1), w.unary('tanh', inner)));
}

/** Float → int truncates (StableHLO convert), anything → bool is x != 0, bool → number is 0/1. */
function cast({ w, inputs, attrs }: LowerCtx): Value {
  const x = inputs[0];
  const to = elemOfDType(attrs.dtype as DType);
  if (to === 'i1' && x.type.elem !== 'i1') return w.compare('NE', x, full(w, 0, x.type));
  return w.convert(x, to);
}

function relu({ w, inputs }: LowerCtx): Value {
  return w.binary('maximum', inputs[0], full(w, 0, inputs[0].type));
}

function silu({ w, inputs }: LowerCtx): Value {
  return w.binary('multiply', inputs[0], w.unary('logistic', inputs[0]));
}

function square({ w, inputs }: LowerCtx): Value {
  return w.binary('multiply', inputs[0], inputs[0]);
}

export const ELEMENTWISE_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  neg: unaryOp('negate'),
  abs: unaryOp('abs'),
  exp: unaryOp('exponential'),
  log: unaryOp('log'),
  sqrt: unaryOp('sqrt'),
  rsqrt: unaryOp('rsqrt'),
  sin: unaryOp('sine'),
  cos: unaryOp('cosine'),
  tanh: unaryOp('tanh'),
  sigmoid: unaryOp('logistic'),
  silu: lower(silu),
  relu: lower(relu),
  square: lower(square),
  gelu: lower(gelu),
  cast: lower(cast),
};
