// `denoc train --task classify` as a user runs it, on a small slice of the real Fashion-MNIST files
// (written as gzipped IDX in a temporary folder, through --data-dir): per-epoch test accuracy, an f16
// weights file that binds to the classifier's parameters, and coded errors for bad task options.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../dsl/index.ts';
import { FASHION_MNIST_DIR } from '../../runtime/train/fashion-mnist.ts';
import { bindWeights } from '../../runtime/weights/bind.ts';
import { loadWeightsFile } from '../../runtime/weights/files.ts';
import { denoc } from '../helpers/process.ts';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

/** The first `n` items of each installed file, as IDX with its header rewritten for n. */
function slice(dir: string, split: string, n: number): void {
  for (const [kind, rank, item] of [
    ['images-idx3', 3, 784],
    ['labels-idx1', 1, 1],
  ] as const) {
    const name = `${split}-${kind}-ubyte.gz`;
    const bytes = gunzipSync(readFileSync(join(FASHION_MNIST_DIR, name)));
    const head = Buffer.from(bytes.subarray(0, 4 + 4 * rank));
    head.writeUInt32BE(n, 4);
    writeFileSync(join(dir, name), gzipSync(Buffer.concat([head, bytes.subarray(4 + 4 * rank, 4 + 4 * rank + n * item)])));
  }
}

describe('denoc train --task classify', () => {
  it('trains on the given images, reports test accuracy per epoch and writes f16 weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fmnist-slice-'));
    slice(dir, 'train', 640);
    slice(dir, 't10k', 200);
    const out = join(dir, 'clf.safetensors');
    const r = await denoc(
      'train',
      'examples/fmnist_classifier.dn',
      '--task',
      'classify',
      '--data',
      'fashion-mnist',
      '--data-dir',
      dir,
      '--engine',
      'onnx',
      '--epochs',
      '2',
      '--batch',
      '64',
      '--lr',
      '3e-3',
      '--dtype',
      'f16',
      '--out',
      out,
      '--no-progress',
    );
    expect(r.code).toBe(0);
    const epochs = [...r.out.matchAll(/epoch (\d): loss ([\d.]+), train accuracy [\d.]+ %, test accuracy ([\d.]+) %/g)];
    expect(epochs.map((m) => m[1])).toEqual(['1', '2']);
    expect(Number(epochs[1][2])).toBeLessThan(Number(epochs[0][2]));
    // 10 classes: chance is 10 %
    expect(Number(epochs[1][3])).toBeGreaterThan(30);
    const model = compileFile('examples/fmnist_classifier.dn').models[0];
    const bound = bindWeights(model.parameters, loadWeightsFile(out));
    expect(bound.size).toBe(model.parameters.length);
  });

  it('refuses the tape engine and 2-D data (TRN0903) and an unknown task (TRN0904)', async () => {
    const tape = await denoc('train', 'examples/fmnist_classifier.dn', '--task', 'classify', '--data', 'fashion-mnist', '--engine', 'tape');
    expect(tape.code).toBe(1);
    expect(tape.err).toContain('error TRN0903');
    const moons = await denoc('train', 'examples/fmnist_classifier.dn', '--task', 'classify', '--data', 'moons', '--engine', 'onnx');
    expect(moons.err).toMatch(/TRN0903.*--data fashion-mnist/);
    const task = await denoc('train', 'examples/fmnist_classifier.dn', '--task', 'segment', '--data', 'moons');
    expect(task.err).toContain("error TRN0904: unknown --task 'segment'");
    for (const r of [tape, moons, task]) noStack(r.err);
  });
});
