// Training data (runtime/train/data.ts, toy2d.ts, fashion-mnist.ts): batches are pure functions of
// (seed, step), held-out points are never training points, the shapes are what they claim, and the
// Fashion-MNIST reader parses IDX files and says clearly when they are missing or broken.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openDataSource } from '../../runtime/train/data.ts';
import { loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';

describe('toy 2-D data', () => {
  it('draws the same batch for the same seed and step, and new points otherwise', () => {
    const moons = openDataSource('moons');
    expect(moons.batch(3, 10, 64).x).toEqual(moons.batch(3, 10, 64).x);
    expect(moons.batch(3, 11, 64).x).not.toEqual(moons.batch(3, 10, 64).x);
    expect(moons.batch(4, 10, 64).x).not.toEqual(moons.batch(3, 10, 64).x);
  });

  it('keeps held-out points out of the training batches', () => {
    const moons = openDataSource('moons');
    const train = new Set(Array.from({ length: 20 }, (_, s) => Array.from(moons.batch(0, s, 100).x)).flat());
    expect(Array.from(moons.heldOut(500, 0).x).filter((v) => train.has(v))).toEqual([]);
  });

  it('puts gaussians8 points around 8 centres at radius 2', () => {
    const x = openDataSource('gaussians8').batch(0, 0, 4000).x;
    const hits = new Array(8).fill(0);
    for (let i = 0; i < x.length; i += 2) {
      const k = Math.round(Math.atan2(x[i + 1], x[i]) / (Math.PI / 4));
      hits[(k + 8) % 8] += 1;
      expect(Math.abs(Math.hypot(x[i], x[i + 1]) - 2)).toBeLessThan(0.6);
    }
    for (const h of hits) expect(h).toBeGreaterThan(400);
  });

  it('puts a third of the ring points on the inner ring', () => {
    const x = openDataSource('rings').batch(0, 0, 6000).x;
    let inner = 0;
    for (let i = 0; i < x.length; i += 2) inner += Math.hypot(x[i], x[i + 1]) < 1.5 ? 1 : 0;
    expect(inner / 6000).toBeCloseTo(1 / 3, 1);
  });

  it('rejects an unknown set with a suggestion', () => {
    expect(() => openDataSource('moon')).toThrow(/TRN0301.*unknown data set 'moon'/);
  });
});

function idx(magic: number, dims: number[], bytes: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return gzipSync(Buffer.concat([head, Buffer.from(bytes)]));
}

describe('Fashion-MNIST reader', () => {
  it('reads gzipped IDX images into [-1, 1] with their labels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fmnist-'));
    const pixels = Array.from({ length: 2 * 784 }, (_, i) => (i < 784 ? 0 : 255));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), idx(0x803, [2, 28, 28], pixels));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), idx(0x801, [2], [7, 3]));
    const set = loadFashionMnist('train', dir);
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([7, 3]);
    expect([set.images[0], set.images[784], set.images.length]).toEqual([-1, 1, 2 * 784]);
    const source = openDataSource('fashion-mnist', { dir });
    const b = source.batch(0, 0, 5);
    expect(b.x.length).toBe(5 * 784);
    expect(b.labels!.every((l) => l === 7 || l === 3)).toBe(true);
  });

  it('says how to install the data when the files are missing', () => {
    expect(() => loadFashionMnist('train', '/no/such/dir')).toThrow(/TRN0201.*not installed/);
  });

  it('rejects a file with the wrong magic number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fmnist-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), idx(0x801, [2, 28, 28], new Array(2 * 784).fill(0)));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), idx(0x801, [2], [0, 1]));
    expect(() => loadFashionMnist('train', dir)).toThrow(/TRN0202.*magic number/);
  });
});
