// `denoc eval`'s driver (api/eval.ts) on bad input: coded errors for images of the wrong shape or range,
// too few images, labels that do not match, and a feature network without (logits, features).
import { describe, expect, it } from 'vitest';
import { checkImages, evaluateImages } from '../../api/eval.ts';
import { compileFile, compileSource } from '../../dsl/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';

const classifier = compileFile('examples/fmnist_classifier.dn').models[0];
const tiny = (count: number) => ({ images: new Float32Array(count * 784), labels: new Int32Array(count), count });

describe('eval input checks', () => {
  it('accepts N×1×28×28, N×28×28 and N×784 images in [-1, 1] and returns N', () => {
    const data = new Float32Array(3 * 784).fill(0.5);
    for (const shape of [
      [3, 1, 28, 28],
      [3, 28, 28],
      [3, 784],
    ])
      expect(checkImages(shape, data, 'x')).toBe(3);
  });

  it('rejects other shapes and values outside [-1, 1] (EVL0001)', () => {
    expect(() => checkImages([3, 3, 28, 28], new Float32Array(3 * 3 * 784), 'x')).toThrow(/EVL0001.*\[3, 3, 28, 28\]/);
    const bright = new Float32Array(784);
    bright[5] = 255;
    expect(() => checkImages([1, 784], bright, 'x')).toThrow(/EVL0001.*255 at index 5/);
    bright[5] = Number.NaN;
    expect(() => checkImages([1, 784], bright, 'x')).toThrow(/EVL0001/);
  });

  it('needs at least 2k + 1 images, no more than the test set, and one label per image (EVL0002)', async () => {
    const base = { classifier, weights: initWeights(classifier.parameters, 0), test: tiny(50), train: tiny(50), seed: 0 };
    await expect(evaluateImages({ ...base, images: new Float32Array(6 * 784) })).rejects.toThrow(/EVL0002.*at least 7/);
    await expect(evaluateImages({ ...base, images: new Float32Array(60 * 784) })).rejects.toThrow(/EVL0002.*larger/);
    await expect(evaluateImages({ ...base, images: new Float32Array(10 * 784), labels: new Int32Array(9) })).rejects.toThrow(/EVL0002.*9 labels/);
  });

  it('refuses a feature network that returns only logits (EVL0003)', async () => {
    const m = compileSource(
      'import "std/nn"\nmodel M() {\n  fc = Linear(784, 10)\n  fn (x: f32[B, 1, 28, 28]) -> f32[B, 10] {\n    return fc(reshape(x, [B, 784]))\n  }\n}\n',
      'm.dn',
    ).models[0];
    const o = { classifier: m, weights: initWeights(m.parameters, 0), images: new Float32Array(10 * 784), test: tiny(20), train: tiny(20), seed: 0 };
    await expect(evaluateImages(o)).rejects.toThrow(/EVL0003/);
  });
});
