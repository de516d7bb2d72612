/**
 * StableHLO tensor types as denoc emits and reads them: static shapes and the few element types the
 * sampler needs (f32 and its half-width variants, i32, ui32 for the Philox generator, i1 for masks).
 * Also the literal formatting that MLIR's parser accepts (floats always carry a '.' or exponent).
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { DType } from '../../compiler/core/ir/types.ts';

export type ElemType = 'f32' | 'bf16' | 'f16' | 'i32' | 'ui32' | 'i1';
export const ELEM_TYPES: readonly ElemType[] = ['f32', 'bf16', 'f16', 'i32', 'ui32', 'i1'];

export interface TType {
  readonly shape: readonly number[];
  readonly elem: ElemType;
}

export function ttype(elem: ElemType, shape: readonly number[]): TType {
  return { elem, shape: [...shape] };
}

export function isFloatElem(e: ElemType): boolean {
  return e === 'f32' || e === 'bf16' || e === 'f16';
}

/** `tensor<4x8xf32>`, `tensor<f32>` for scalars. */
export function formatTType(t: TType): string {
  return `tensor<${t.shape.map((d) => `${d}x`).join('')}${t.elem}>`;
}

export function sameTType(a: TType, b: TType): boolean {
  return a.elem === b.elem && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

export function elemCount(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** The StableHLO element type of an IR dtype. */
export function elemOfDType(d: DType): ElemType {
  switch (d) {
    case 'f32':
    case 'bf16':
    case 'f16':
    case 'i32':
      return d;
    case 'u32':
      return 'ui32';
    case 'bool':
      return 'i1';
  }
}

/** The IR dtype of an element type (the manifest speaks IR dtypes). */
export function dtypeOfElem(e: ElemType): DType {
  return e === 'ui32' ? 'u32' : e === 'i1' ? 'bool' : e;
}

/** Parses `4x8xf32` (the inside of `tensor<...>`); `where` names the position for errors. */
export function parseTTypeBody(body: string, where: string): TType {
  const parts = body.split('x');
  const elem = parts.pop() as string;
  if (!(ELEM_TYPES as readonly string[]).includes(elem)) {
    fail('HLO0202', `${where}: unsupported element type '${elem}' in tensor<${body}>`);
  }
  const shape = parts.map((p) => {
    if (!/^\d+$/.test(p)) fail('HLO0202', `${where}: dimension '${p}' in tensor<${body}> is not a static size`);
    return Number(p);
  });
  return ttype(elem as ElemType, shape);
}

const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);

/** Hex bit pattern MLIR accepts for non-finite float elements. */
function nonFiniteHex(x: number, elem: ElemType): string {
  if (elem === 'bf16') return Number.isNaN(x) ? '0x7FC0' : x > 0 ? '0x7F80' : '0xFF80';
  if (elem === 'f16') return Number.isNaN(x) ? '0x7E00' : x > 0 ? '0x7C00' : '0xFC00';
  f32Bits[0] = x;
  return `0x${u32Bits[0].toString(16).toUpperCase().padStart(8, '0')}`;
}

/**
 * The shortest decimal that reads back as the same f32, written as an MLIR float literal
 * (`[-+]?[0-9]+[.][0-9]*([eE][-+]?[0-9]+)?`: a bare `1e-7` would not lex as a float).
 */
export function formatFloatLiteral(x: number, elem: ElemType = 'f32'): string {
  if (!Number.isFinite(x)) return nonFiniteHex(x, elem);
  if (Object.is(x, -0)) return '-0.0';
  const target = Math.fround(x);
  let s = target.toPrecision(9);
  for (let p = 1; p <= 9; p++) {
    const candidate = target.toPrecision(p);
    if (Math.fround(Number(candidate)) === target) {
      s = candidate;
      break;
    }
  }
  const [mant, exp] = s.split('e');
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return exp === undefined ? m : `${m}e${exp}`;
}

export function formatElem(x: number, elem: ElemType): string {
  if (isFloatElem(elem)) return formatFloatLiteral(x, elem);
  if (elem === 'i1') return x ? 'true' : 'false';
  return String(elem === 'ui32' ? x >>> 0 : x | 0);
}
