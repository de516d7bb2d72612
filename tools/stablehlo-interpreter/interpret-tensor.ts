/**
 * Host tensors of the StableHLO interpreter and the elementwise kernels. Storage follows the element
 * type: float types in Float32Array (bf16/f16 values rounded to their precision after every op, as the
 * hardware would store them), i32 in Int32Array, ui32 in Uint32Array, i1 in Uint8Array. Integer ops
 * wrap as two's complement, as StableHLO's do.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../../compiler/core/numeric/half.ts';
import { elemCount, formatTType, isFloatElem, ttype, type ElemType, type TType } from '../../targets/stablehlo/types.ts';

export type HloData = Float32Array | Int32Array | Uint32Array | Uint8Array;

export interface HloTensor {
  readonly type: TType;
  readonly data: HloData;
}

export function allocData(elem: ElemType, n: number): HloData {
  if (isFloatElem(elem)) return new Float32Array(n);
  if (elem === 'i32') return new Int32Array(n);
  if (elem === 'ui32') return new Uint32Array(n);
  return new Uint8Array(n);
}

/** Rounds a computed value to what the element type stores. */
export function roundTo(elem: ElemType, x: number): number {
  switch (elem) {
    case 'f32':
      return Math.fround(x);
    case 'bf16':
      return bf16BitsToF32(f32ToBf16Bits(x));
    case 'f16':
      return f16BitsToF32(f32ToF16Bits(x));
    case 'i32':
      return x | 0;
    case 'ui32':
      return x >>> 0;
    case 'i1':
      return x ? 1 : 0;
  }
}

/** A tensor of `type` from plain numbers (rounded to the element type). */
export function makeTensor(type: TType, values: ArrayLike<number>): HloTensor {
  const n = elemCount(type.shape);
  if (values.length !== n) fail('HLO0302', `${formatTType(type)} needs ${n} values, got ${values.length}`);
  const data = allocData(type.elem, n);
  for (let i = 0; i < n; i++) data[i] = roundTo(type.elem, values[i]);
  return { type, data };
}

function mapInto(out: TType, n: number, f: (i: number) => number): HloTensor {
  const data = allocData(out.elem, n);
  const half = out.elem === 'bf16' || out.elem === 'f16';
  for (let i = 0; i < n; i++) data[i] = half ? roundTo(out.elem, f(i)) : f(i);
  return { type: out, data };
}

const UNARY_FLOAT: Readonly<Record<string, (x: number) => number>> = {
  negate: (x) => -x,
  abs: Math.abs,
  sign: (x) => (Number.isNaN(x) ? NaN : Math.sign(x)),
  exponential: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  sine: Math.sin,
  cosine: Math.cos,
  tanh: Math.tanh,
  logistic: (x) => 1 / (1 + Math.exp(-x)),
};

const UNARY_INT: Readonly<Record<string, (x: number) => number>> = {
  negate: (x) => -x | 0,
  abs: (x) => Math.abs(x) | 0,
  sign: (x) => Math.sign(x),
};

export function unary(op: string, x: HloTensor): HloTensor {
  const table = isFloatElem(x.type.elem) ? UNARY_FLOAT : UNARY_INT;
  const f = table[op];
  if (!f) fail('HLO0303', `stablehlo.${op} is not defined for ${x.type.elem}`);
  const src = x.data;
  return mapInto(x.type, src.length, (i) => f(src[i]));
}

type Bin = (a: number, b: number) => number;

const FLOAT_BINARY: Readonly<Record<string, Bin>> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  power: Math.pow,
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
};

/** Shifts by the bit width or more give 0 (StableHLO's rule, unlike JS's mod-32 shifts). */
const shiftOk = (b: number): boolean => b >= 0 && b < 32;

function intBinary(unsigned: boolean): Readonly<Record<string, Bin>> {
  const wrap = unsigned ? (x: number): number => x >>> 0 : (x: number): number => x | 0;
  return {
    add: (a, b) => wrap(a + b),
    subtract: (a, b) => wrap(a - b),
    multiply: (a, b) => wrap(Math.imul(a, b)),
    divide: (a, b) => (b === 0 ? (unsigned ? 0xffffffff : -1) : wrap(Math.trunc(a / b))),
    minimum: Math.min,
    maximum: Math.max,
    power: (a, b) => wrap(b < 0 ? 0 : Math.pow(a, b)),
    and: (a, b) => wrap(a & b),
    or: (a, b) => wrap(a | b),
    xor: (a, b) => wrap(a ^ b),
    shift_left: (a, b) => (shiftOk(b) ? wrap(a << b) : 0),
    shift_right_logical: (a, b) => (shiftOk(b) ? wrap(a >>> b) : 0),
  };
}

const INT_BINARY = intBinary(false);
const UINT_BINARY = intBinary(true);
const BOOL_BINARY: Readonly<Record<string, Bin>> = { and: (a, b) => a & b, or: (a, b) => a | b, xor: (a, b) => a ^ b };

export function binary(op: string, a: HloTensor, b: HloTensor): HloTensor {
  const elem = a.type.elem;
  const table = isFloatElem(elem) ? FLOAT_BINARY : elem === 'i32' ? INT_BINARY : elem === 'ui32' ? UINT_BINARY : BOOL_BINARY;
  const f = table[op];
  if (!f) fail('HLO0303', `stablehlo.${op} is not defined for ${elem}`);
  const x = a.data,
    y = b.data;
  return mapInto(a.type, x.length, (i) => f(x[i], y[i]));
}

const COMPARE: Readonly<Record<string, Bin>> = {
  EQ: (a, b) => Number(a === b),
  NE: (a, b) => Number(a !== b),
  LT: (a, b) => Number(a < b),
  LE: (a, b) => Number(a <= b),
  GT: (a, b) => Number(a > b),
  GE: (a, b) => Number(a >= b),
};

export function compare(dir: string, a: HloTensor, b: HloTensor): HloTensor {
  const f = COMPARE[dir];
  if (!f) fail('HLO0303', `unknown comparison direction ${dir}`);
  const x = a.data,
    y = b.data;
  return mapInto(ttype('i1', a.type.shape), x.length, (i) => f(x[i], y[i]));
}

/** A scalar predicate picks whole tensors; otherwise elementwise. */
export function select(p: HloTensor, a: HloTensor, b: HloTensor): HloTensor {
  const scalar = p.type.shape.length === 0;
  return mapInto(a.type, a.data.length, (i) => (p.data[scalar ? 0 : i] ? a.data[i] : b.data[i]));
}

/** Float → int truncates toward zero; anything → i1 is x != 0; narrowing floats round to nearest even. */
export function convert(x: HloTensor, out: TType): HloTensor {
  const data = allocData(out.elem, x.data.length);
  const toInt = !isFloatElem(out.elem) && out.elem !== 'i1';
  for (let i = 0; i < data.length; i++) {
    const v = x.data[i];
    data[i] = out.elem === 'i1' ? Number(v !== 0) : toInt ? roundTo(out.elem, Math.trunc(v)) : roundTo(out.elem, v);
  }
  return { type: out, data };
}

/** Reinterprets 32-bit patterns (f32 ↔ i32 ↔ ui32). */
export function bitcastConvert(x: HloTensor, out: TType): HloTensor {
  const bits = (e: ElemType): boolean => e === 'f32' || e === 'i32' || e === 'ui32';
  if (!bits(x.type.elem) || !bits(out.elem)) fail('HLO0303', `bitcast_convert supports 32-bit types only, not ${x.type.elem} → ${out.elem}`);
  const src = x.data as Float32Array | Int32Array | Uint32Array;
  const copy = new Uint8Array(src.buffer.slice(src.byteOffset, src.byteOffset + src.byteLength));
  const data = out.elem === 'f32' ? new Float32Array(copy.buffer) : out.elem === 'i32' ? new Int32Array(copy.buffer) : new Uint32Array(copy.buffer);
  return { type: out, data };
}
