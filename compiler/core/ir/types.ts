/**
 * Tensor types of the IR: a dtype and a shape whose dims are numbers or symbols (`B`).
 * Symbolic dims let one graph serve every batch size; `bindDims` makes a graph static for a target.
 */

export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'u32' | 'bool';
export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'u32', 'bool'];

/** A dimension: a known extent or a symbol bound at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export interface TensorType {
  readonly kind: 'tensor';
  readonly dtype: DType;
  readonly shape: Shape;
}

/** The type of a multi-result node (a loop); its parts are read with `tuple_get`. */
export interface TupleType {
  readonly kind: 'tuple';
  readonly elements: readonly TensorType[];
}

export type Type = TensorType | TupleType;

export function tensorType(dtype: DType, shape: Shape): TensorType {
  return Object.freeze({ kind: 'tensor', dtype, shape: Object.freeze([...shape]) });
}

export function tupleType(elements: readonly TensorType[]): TupleType {
  return Object.freeze({ kind: 'tuple', elements: Object.freeze([...elements]) });
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f16' || dtype === 'bf16';
}

export function isStatic(shape: Shape): shape is readonly number[] {
  return shape.every((d) => typeof d === 'number');
}

/** Number of elements; throws if a dim is symbolic (callers bind dims first). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new Error(`shape [${shape.join(', ')}] has symbolic dim '${d}'`);
    n *= d;
  }
  return n;
}

export function bytesPerElement(dtype: DType): number {
  return dtype === 'f16' || dtype === 'bf16' ? 2 : dtype === 'bool' ? 1 : 4;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function sameType(a: Type, b: Type): boolean {
  if (a.kind === 'tuple' || b.kind === 'tuple') {
    return (
      a.kind === 'tuple' && b.kind === 'tuple' && a.elements.length === b.elements.length && a.elements.every((e, i) => sameType(e, b.elements[i]))
    );
  }
  return a.dtype === b.dtype && sameShape(a.shape, b.shape);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function formatType(t: Type): string {
  if (t.kind === 'tuple') return `(${t.elements.map(formatType).join(', ')})`;
  return `${t.dtype}${formatShape(t.shape)}`;
}

/** Substitutes bound symbols; unbound ones stay symbolic. */
export function bindShape(shape: Shape, dims: Readonly<Record<string, number>>): Dim[] {
  return shape.map((d) => (typeof d === 'string' && d in dims ? dims[d] : d));
}

export function bindType<T extends Type>(t: T, dims: Readonly<Record<string, number>>): T {
  if (t.kind === 'tuple') return tupleType(t.elements.map((e) => bindType(e, dims))) as T;
  return tensorType(t.dtype, bindShape(t.shape, dims)) as T;
}

/**
 * Broadcasts two shapes numpy-style. Symbols broadcast against 1 and against themselves;
 * returns an error message instead of throwing so callers can attach a span.
 */
export function broadcastShapes(a: Shape, b: Shape): Dim[] | string {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else return `cannot broadcast ${formatShape(a)} with ${formatShape(b)} (dim ${da} vs ${db})`;
  }
  return out;
}

/** Element count as (numeric factor, sorted symbols) so symbolic reshapes can be checked. */
export function symbolicNumel(shape: Shape): { factor: number; symbols: string[] } {
  let factor = 1;
  const symbols: string[] = [];
  for (const d of shape) {
    if (typeof d === 'number') factor *= d;
    else symbols.push(d);
  }
  return { factor, symbols: symbols.sort() };
}
