/**
 * The host-side shapes of weights: a tensor as `{shape, data}` with f32 data, collections of them
 * keyed by dotted parameter path, and the `WeightStore` that binding produces for the executors.
 */

/** One tensor on the host; `data` is row-major (C order). */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** What readers of weights accept: a Map or a plain object keyed by parameter path. */
export type TensorCollection = ReadonlyMap<string, HostTensor> | Readonly<Record<string, HostTensor>>;

/** Bound weights: values by parameter path (what executors read) and their static shapes. */
export interface WeightStore {
  readonly tensors: Map<string, Float32Array>;
  readonly shapes: Map<string, readonly number[]>;
}

export function isWeightStore(x: unknown): x is WeightStore {
  return typeof x === 'object' && x !== null && (x as WeightStore).tensors instanceof Map &&
    (x as WeightStore).shapes instanceof Map;
}

/** The entries of a collection or a store, in the collection's own order. */
export function tensorEntries(source: TensorCollection | WeightStore): [string, HostTensor][] {
  if (isWeightStore(source)) {
    return [...source.tensors].map(([path, data]) => [path, { shape: source.shapes.get(path) ?? [data.length], data }]);
  }
  if (source instanceof Map) return [...(source as ReadonlyMap<string, HostTensor>)];
  return Object.entries(source as Readonly<Record<string, HostTensor>>);
}

export function shapeNumel(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}
