// `denoc eval`'s driver (api/eval.ts) with the shipped classifier on the real Fashion-MNIST files, at a
// small N: held-out test images score near the train-vs-test floor and far from the noise floor; every
// figure is finite and in range; the classifier agrees with true labels and not with noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateImages, type EvalReport } from '../../api/eval.ts';
import { bindWeights } from '../../runtime/weights/bind.ts';
import { compileFile } from '../../dsl/index.ts';
import { loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';
import { loadWeightsFile } from '../../runtime/weights/files.ts';

const N = 300;
let report: EvalReport;

beforeAll(async () => {
  const classifier = compileFile('examples/fmnist_classifier.dn').models[0];
  const weights = bindWeights(classifier.parameters, loadWeightsFile('examples/weights/fmnist-classifier.safetensors'));
  const test = loadFashionMnist('t10k');
  const train = loadFashionMnist('train');
  // test images 5000… are outside the first N that precision/recall use as the reference set
  const images = test.images.slice(5000 * 784, (5000 + N) * 784);
  const labels = test.labels.slice(5000, 5000 + N);
  report = await evaluateImages({ classifier, weights, images, labels, test, train, seed: 0 });
});

describe('eval with the shipped classifier', () => {
  it('gives finite, non-negative FD and precision/recall in [0, 1] for the images and both floors', () => {
    for (const s of [report.generated, report.trainFloor, report.noise]) {
      expect(Number.isFinite(s.fd) && s.fd >= 0).toBe(true);
      for (const v of [s.precision, s.recall, s.agreement!]) expect(v >= 0 && v <= 1).toBe(true);
    }
    expect(report.n).toBe(N);
  });

  it('puts held-out test images and training images far below noise in FD', () => {
    expect(report.trainFloor.fd).toBeLessThan(report.noise.fd / 10);
    expect(report.generated.fd).toBeLessThan(report.noise.fd / 10);
    // test-vs-test and train-vs-test differ by the train/test gap and sampling noise only
    expect(report.generated.fd).toBeLessThan(3 * report.trainFloor.fd + 1);
  });

  it('finds data inside the data manifold and noise outside it', () => {
    expect(report.trainFloor.precision).toBeGreaterThan(0.6);
    expect(report.trainFloor.recall).toBeGreaterThan(0.6);
    expect(report.noise.recall).toBeLessThan(0.1);
    expect(report.noise.precision).toBeLessThan(report.trainFloor.precision);
  });

  it('agrees with the true classes of data, and not with the classes asked of noise', () => {
    expect(report.generated.agreement).toBeGreaterThan(0.85);
    expect(report.trainFloor.agreement).toBeGreaterThan(0.85);
    expect(report.noise.agreement).toBeLessThan(0.3);
  });
});
