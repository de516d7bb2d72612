/**
 * Helpers shared by the op families: dtype and axis checks for type rules, cost counting, and
 * attribute readers (also used by the reference kernels in compiler/semantics/kernels).
 *
 * Cost convention (every family): bytes = (elements of every input + elements of the output) × 4,
 * whatever the dtype, as if each were read or written once by a standalone kernel. Symbolic dims
 * count as 1, so costs of an unbound graph are per-unit-of-each-symbol figures; callers that want
 * real numbers bind dims first (`bindType`) and ask again.
 */
import type { Attrs } from '../ir/node.ts';
import { broadcastShapes, formatShape, isFloat, type Dim, type DType, type Shape, type TensorType } from '../ir/types.ts';
import { shapeCheck, type OpCost } from './registry.ts';

/** Element count with symbolic dims counted as 1 (see the cost convention above). */
export function countElems(shape: Shape): number {
  let n = 1;
  for (const d of shape) if (typeof d === 'number') n *= d;
  return n;
}

/** Bytes of a standalone kernel reading every input once and writing its output once. */
export function ioBytes(inputs: readonly TensorType[], out: TensorType): number {
  return 4 * inputs.reduce((s, t) => s + countElems(t.shape), countElems(out.shape));
}

/** Cost of an op doing `flopsPerElem` operations per output element. */
export function perElementCost(flopsPerElem: number) {
  return (inputs: readonly TensorType[], out: TensorType): OpCost => ({
    flops: flopsPerElem * countElems(out.shape),
    bytes: ioBytes(inputs, out),
  });
}

export function requireFloat(t: TensorType, what: string): void {
  shapeCheck(isFloat(t.dtype), () => `${what} must be a float tensor, got ${t.dtype}`);
}

/** Numeric = anything but bool. */
export function requireNumeric(t: TensorType, what: string): void {
  shapeCheck(t.dtype !== 'bool', () => `${what} must be numeric, got bool`);
}

export function requireDtype(t: TensorType, dtype: DType, what: string): void {
  shapeCheck(t.dtype === dtype, () => `${what} must be ${dtype}, got ${t.dtype}`);
}

export function requireSameDtype(a: TensorType, b: TensorType, what: string): void {
  shapeCheck(a.dtype === b.dtype, () => `${what} have different dtypes ${a.dtype} and ${b.dtype}; cast one first`);
}

export function requireRank(t: TensorType, rank: number, what: string, layout: string): void {
  shapeCheck(t.shape.length === rank, () => `${what} must be ${layout} (rank ${rank}), got ${formatShape(t.shape)}`);
}

/** Maps a possibly negative axis into [0, rank). */
export function normAxis(axis: number, rank: number, what = 'axis'): number {
  shapeCheck(axis >= -rank && axis < rank, () => `${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Broadcasts several shapes numpy-style (symbols match themselves and broadcast against 1). */
export function broadcastAll(shapes: readonly Shape[]): Dim[] {
  let out: Dim[] = [...shapes[0]];
  for (const s of shapes.slice(1)) {
    const r = broadcastShapes(out, s);
    shapeCheck(typeof r !== 'string', () => r as string);
    out = r;
  }
  return out;
}

/** A dim that a rule needs as a number (conv spatial sizes, channel counts). */
export function staticDim(d: Dim, what: string): number {
  shapeCheck(typeof d === 'number', () => `${what} must be a static size, got symbolic '${d}'`);
  return d;
}

/** Attribute readers: the registry already checked kinds, so these only narrow the types. */
export const attrInt = (a: Attrs, key: string): number => a[key] as number;
export const attrInts = (a: Attrs, key: string): number[] => [...(a[key] as readonly number[])];
export const attrDims = (a: Attrs, key: string): Dim[] => [...(a[key] as readonly Dim[])];

/** A pair attribute such as stride [sh, sw]; checks length and lower bound. */
export function pairAttr(a: Attrs, key: string, min: number): [number, number] {
  const v = attrInts(a, key);
  shapeCheck(v.length === 2, () => `${key} must have 2 values [h, w], got [${v.join(', ')}]`);
  shapeCheck(v[0] >= min && v[1] >= min, () => `${key} values must be >= ${min}, got [${v.join(', ')}]`);
  return [v[0], v[1]];
}
