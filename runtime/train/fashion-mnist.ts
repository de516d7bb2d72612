/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017) from Debian's `dataset-fashion-mnist` package, which
 * installs the original gzipped IDX files in /usr/share/datasets/fashion-mnist/:
 * `{train,t10k}-images-idx3-ubyte.gz` (60000 / 10000 images of 28×28 bytes) and
 * `{train,t10k}-labels-idx1-ubyte.gz`. IDX (LeCun's MNIST format): a big-endian magic word
 * 0x0000_08_NN (08 = unsigned bytes, NN = number of dims), NN big-endian u32 dims, then the bytes.
 * Pixels are mapped from 0..255 to [-1, 1], the range the image samplers render.
 *
 *   TRN0201 the files are not there (with how to install them)
 *   TRN0202 a file is not valid gzipped IDX of the expected shape
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fail } from '../../compiler/core/diagnostics.ts';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = 10;
const SIDE = 28;

export type Split = 'train' | 't10k';

export interface ImageSet {
  /** N×1×28×28 in [-1, 1]. */
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** The dims of an IDX byte file, checked against the expected rank. */
export function parseIdx(bytes: Uint8Array, rank: number, source: string): { dims: number[]; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): never => fail('TRN0202', `${source} is not an IDX file of ${rank}-D unsigned bytes: ${why}`);
  if (bytes.length < 4 + 4 * rank) bad(`only ${bytes.length} bytes`);
  const magic = view.getUint32(0, false);
  if (magic !== 0x0800 + rank)
    bad(`magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x${(0x0800 + rank).toString(16).padStart(8, '0')}`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((p, d) => p * d, 1);
  const start = 4 + 4 * rank;
  if (bytes.length !== start + size) bad(`dims ${dims.join('×')} need ${start + size} bytes, the file has ${bytes.length}`);
  return { dims, data: bytes.subarray(start) };
}

function readGzip(path: string): Uint8Array {
  try {
    return gunzipSync(readFileSync(path));
  } catch (e) {
    return fail('TRN0202', `cannot decompress ${path}: ${(e as Error).message}`);
  }
}

/** Bytes 0..255 to p/127.5 − 1 in [-1, 1], through a 256-entry table (Float32Array.from with a mapper takes ~20× longer on 47M pixels). */
function toSignedUnit(bytes: Uint8Array): Float32Array {
  const table = Float32Array.from({ length: 256 }, (_, p) => p / 127.5 - 1);
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]];
  return out;
}

/** One split (train: 60000 images, t10k: 10000) with its labels. */
export function loadFashionMnist(split: Split, dir = FASHION_MNIST_DIR): ImageSet {
  const imagesPath = join(dir, `${split}-images-idx3-ubyte.gz`);
  const labelsPath = join(dir, `${split}-labels-idx1-ubyte.gz`);
  for (const path of [imagesPath, labelsPath]) {
    if (!existsSync(path)) {
      fail(
        'TRN0201',
        `Fashion-MNIST is not installed: ${path} does not exist`,
        undefined,
        `install Debian's package (apt-get install dataset-fashion-mnist) or point --data-dir at a folder with the four IDX .gz files`,
      );
    }
  }
  const images = parseIdx(readGzip(imagesPath), 3, imagesPath);
  const labels = parseIdx(readGzip(labelsPath), 1, labelsPath);
  const [count, h, w] = images.dims;
  if (h !== SIDE || w !== SIDE) fail('TRN0202', `${imagesPath} holds ${h}×${w} images, expected ${SIDE}×${SIDE}`);
  if (labels.dims[0] !== count) fail('TRN0202', `${labelsPath} has ${labels.dims[0]} labels for ${count} images`);
  return {
    images: toSignedUnit(images.data),
    labels: Int32Array.from(labels.data),
    count,
  };
}
