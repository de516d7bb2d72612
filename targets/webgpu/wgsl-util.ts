/**
 * Small WGSL helpers with no dependencies on the writer: value and storage types per IR dtype,
 * literals, conversions, strides, static shapes. Every float dtype is stored and computed as f32
 * on WebGPU; bool is stored as u32 (docs/targets.md, WebGPU).
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { tensorOf, type Node } from '../../compiler/core/ir/node.ts';
import type { DType } from '../../compiler/core/ir/types.ts';

/** The WGSL value type computed for an IR dtype. */
export function valueType(dtype: DType): 'f32' | 'i32' | 'u32' | 'bool' {
  if (dtype === 'i32' || dtype === 'u32' || dtype === 'bool') return dtype;
  return 'f32';
}

/** The WGSL element type of a storage buffer holding `dtype`. */
export function storageType(dtype: DType): 'f32' | 'i32' | 'u32' {
  if (dtype === 'i32' || dtype === 'u32') return dtype;
  return dtype === 'bool' ? 'u32' : 'f32';
}

/** A WGSL literal; non-finite floats have no literal syntax, so they are bit patterns. */
export function lit(x: number, type: 'f32' | 'i32' | 'u32' | 'bool'): string {
  if (type === 'bool') return x !== 0 ? 'true' : 'false';
  if (type === 'u32') return `${x >>> 0}u`;
  if (type === 'i32') return x < 0 ? `(${x | 0}i)` : `${x | 0}i`;
  // WGSL constant expressions cannot be NaN or infinite, so these go through a runtime helper.
  if (Number.isNaN(x)) return 'f32_bits(0x7fc00000u)';
  if (!Number.isFinite(x)) return x > 0 ? 'f32_bits(0x7f800000u)' : 'f32_bits(0xff800000u)';
  const f = Math.fround(x);
  if (Object.is(f, -0)) return '(-0.0f)';
  let s = Number.isInteger(f) && Math.abs(f) < 1e15 ? `${f}.0` : shortestF32(f);
  if (!s.includes('.') && !s.includes('e')) s += '.0';
  return f < 0 ? `(${s}f)` : `${s}f`;
}

/** The shortest decimal that rounds back to the same f32 (at most 9 significant digits). */
function shortestF32(f: number): string {
  for (let p = 1; p < 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return s;
  }
  return f.toPrecision(9);
}

/** Converts a WGSL value of type `from` to `to`, following the IR's cast semantics. */
export function convert(expr: string, from: string, to: string): string {
  if (from === to) return expr;
  if (to === 'bool') return from === 'f32' ? `(${expr} != 0.0f)` : `(${expr} != 0${from === 'u32' ? 'u' : 'i'})`;
  if (from === 'bool') return `select(${lit(0, to as 'f32')}, ${lit(1, to as 'f32')}, ${expr})`;
  return `${to}(${expr})`;
}

/** Row-major strides of a static shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function staticShape(node: Node): number[] {
  const shape = tensorOf(node).shape;
  for (const d of shape) {
    if (typeof d !== 'number') {
      throw new DenocError({
        code: 'WG0101',
        severity: 'error',
        message: `${node.op}: symbolic dim '${d}' reached the WebGPU code generator; bind dims first`,
        span: node.span,
      });
    }
  }
  return shape as number[];
}

/** Declares `f32_bits` (a user function, so WGSL does not constant-fold it) when the code uses it. */
export const F32_BITS_WGSL = 'fn f32_bits(b: u32) -> f32 { return bitcast<f32>(b); }';
