// The real Fashion-MNIST files of Debian's dataset-fashion-mnist (.ci/run installs it), read by
// runtime/train/fashion-mnist.ts: the published split sizes (60000 / 10000) and class balance
// (6000 / 1000 images of each of the 10 classes; Xiao, Rasul & Vollgraf 2017), pixels mapped to [-1, 1].
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';

const histogram = (labels: Int32Array): number[] => {
  const h = new Array<number>(FASHION_MNIST_CLASSES).fill(0);
  for (const l of labels) h[l]++;
  return h;
};

describe('Fashion-MNIST, the installed files', () => {
  it.each([
    ['train', 60000],
    ['t10k', 10000],
  ] as const)('%s has %i balanced images in [-1, 1]', (split, count) => {
    const set = loadFashionMnist(split);
    expect(set.count).toBe(count);
    expect(set.images.length).toBe(count * 784);
    expect(histogram(set.labels)).toEqual(new Array(10).fill(count / 10));
    let lo = Infinity,
      hi = -Infinity,
      sum = 0;
    for (let i = 0; i < set.images.length; i++) {
      const v = set.images[i];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
    expect([lo, hi]).toEqual([-1, 1]);
    // mostly dark background: the mean pixel is well below the middle of the range
    expect(sum / set.images.length).toBeLessThan(-0.2);
  });
});
