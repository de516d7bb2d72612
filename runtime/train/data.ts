/**
 * Training data behind one interface: a batch per step (a pure function of the run's seed and the
 * step, so resumed runs see the same batches) and held-out items that training never sees, for
 * measuring samples against. Sources: the procedural 2-D sets of toy2d.ts and Fashion-MNIST.
 *
 *   TRN0301 unknown data set name
 */
import { fail, suggest } from '../../compiler/core/diagnostics.ts';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DIR, loadFashionMnist, type ImageSet } from './fashion-mnist.ts';
import { integersBelow, STREAMS } from './random.ts';
import { isToy2d, toy2d, TOY2D_SETS, type Toy2dName } from './toy2d.ts';

export interface Batch {
  /** `size` items, row-major, each of the source's itemShape. */
  readonly x: Float32Array;
  /** Class labels, where the source has them. */
  readonly labels?: Int32Array;
}

export interface DataSource {
  readonly name: string;
  /** Shape of one item: [2] for points, [1, 28, 28] for Fashion-MNIST. */
  readonly itemShape: readonly number[];
  /** Number of classes, where items are labelled. */
  readonly classes?: number;
  batch(seed: number, step: number, size: number): Batch;
  /** `n` items disjoint from every training batch; `set` picks independent draws where the source is unlimited. */
  heldOut(n: number, set: number): Batch;
}

export const DATA_SETS = [...TOY2D_SETS, 'fashion-mnist'] as const;

export interface DataOptions {
  /** Folder of the Fashion-MNIST IDX files. */
  readonly dir?: string;
}

function toySource(name: Toy2dName): DataSource {
  return {
    name,
    itemShape: [2],
    batch: (seed, step, size) => ({ x: toy2d(name, size, seed, STREAMS.data, STREAMS.dataNoise, step) }),
    // held-out draws use their own streams: no training step can ever produce them
    heldOut: (n, set) => ({ x: toy2d(name, n, set, STREAMS.heldOut, STREAMS.heldOutNoise, 0) }),
  };
}

/** Items `index` of an image set, gathered into one batch. */
function gather(set: ImageSet, index: ArrayLike<number>): Batch {
  const size = 28 * 28;
  const x = new Float32Array(index.length * size);
  const labels = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    x.set(set.images.subarray(index[i] * size, (index[i] + 1) * size), i * size);
    labels[i] = set.labels[index[i]];
  }
  return { x, labels };
}

/** Batches drawn uniformly (with replacement) from the 60000 training images; held out: the test split. */
function fashionSource(dir: string): DataSource {
  const train = loadFashionMnist('train', dir);
  let test: ImageSet | undefined;
  return {
    name: 'fashion-mnist',
    itemShape: [1, 28, 28],
    classes: FASHION_MNIST_CLASSES,
    batch: (seed, step, size) => gather(train, integersBelow(train.count, seed, STREAMS.data, step, size)),
    heldOut: (n, set) => {
      test ??= loadFashionMnist('t10k', dir);
      const count = Math.min(n, test.count);
      return gather(
        test,
        Array.from({ length: count }, (_, i) => (i + set * count) % test!.count),
      );
    },
  };
}

export function openDataSource(name: string, opts: DataOptions = {}): DataSource {
  if (isToy2d(name)) return toySource(name);
  if (name === 'fashion-mnist') return fashionSource(opts.dir ?? FASHION_MNIST_DIR);
  const near = suggest(name, DATA_SETS);
  return fail('TRN0301', `unknown data set '${name}' (data sets: ${DATA_SETS.join(', ')})`, undefined, near ? `did you mean '${near}'?` : undefined);
}
