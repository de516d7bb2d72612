/**
 * The one host tensor type: `{dtype, shape, data}` with row-major data, and `WeightSet`, the bound
 * weights of a model keyed by dotted parameter path. Weights, constants folded at compile time,
 * safetensors contents and the tensors passes create are all `Tensor`s; float data is held in a
 * Float32Array whatever the float dtype (f16/bf16 compute as f32 on the host), ints and bools in an
 * Int32Array.
 */
import type { DType } from './ir/types.ts';

export interface Tensor<D extends Float32Array | Int32Array = Float32Array | Int32Array> {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: D;
}

/** Bound weights: one f32-held tensor per dotted parameter path. */
export type WeightSet = ReadonlyMap<string, Tensor<Float32Array>>;

/** What readers of weights accept: a weight set or a plain object keyed by parameter path. */
export type TensorCollection = WeightSet | Readonly<Record<string, Tensor<Float32Array>>>;

export function shapeNumel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/**
 * A tensor of `shape` holding `data`; the dtype defaults to f32 for Float32Array data and i32 for
 * Int32Array data. Throws a RangeError when the data does not fill the shape exactly.
 */
export function tensor<D extends Float32Array | Int32Array>(shape: readonly number[], data: D, dtype?: DType): Tensor<D> {
  const n = shapeNumel(shape);
  if (n !== data.length) throw new RangeError(`tensor [${shape.join(',')}] needs ${n} values, got ${data.length}`);
  return { dtype: dtype ?? (data instanceof Int32Array ? 'i32' : 'f32'), shape: [...shape], data };
}

/** The entries of a collection, in the collection's own order. */
export function tensorEntries(source: TensorCollection): [string, Tensor<Float32Array>][] {
  if (source instanceof Map) return [...(source as WeightSet)];
  return Object.entries(source as Readonly<Record<string, Tensor<Float32Array>>>);
}

/** The index of the first NaN or ±Inf in `data`, or -1 when every value is finite. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is 0 for every finite v and NaN for NaN and ±Inf.
    if (v - v !== 0) return i;
  }
  return -1;
}
