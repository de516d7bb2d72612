// `denoc eval` as a user runs it: help, coded errors without stack traces, a run on an images file
// and a run that draws its images from a sampler, each printing the figures next to both floors.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensor } from '../../compiler/core/tensor.ts';
import { loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';
import { saveWeightsFile } from '../../runtime/weights/files.ts';
import { denoc } from '../helpers/process.ts';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
const dir = mkdtempSync(join(tmpdir(), 'eval-'));

/** Figures of one row of the table: images, train floor, noise. */
const row = (out: string, name: string): number[] =>
  (out.split('\n').find((l) => l.startsWith(name)) ?? '').slice(18).trim().split(/\s+/).map(Number);

describe('denoc eval', () => {
  it('has --help naming its inputs and options', async () => {
    const r = await denoc('eval', '--help');
    expect(r.code).toBe(0);
    for (const flag of ['--images', '--sampler', '--weights', '--n', '--batch', '--classes', '--classifier-weights', '--k'])
      expect(r.out).toContain(flag);
  });

  it('wants either --images or a .dn file (EVL0010), exit 1, no stack trace', async () => {
    const r = await denoc('eval');
    expect(r.code).toBe(1);
    expect(r.err).toContain('error EVL0010');
    noStack(r.err);
  });

  it('names the tensors of a file without an images tensor (EVL0011)', async () => {
    const file = join(dir, 'two.safetensors');
    saveWeightsFile(file, { a: tensor([1], Float32Array.of(0)), b: tensor([1], Float32Array.of(0)) });
    const r = await denoc('eval', '--images', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EVL0011.*holds a, b/);
    noStack(r.err);
  });

  it('measures an images file with labels: a table of FD, precision, recall, agreement with both floors', async () => {
    const test = loadFashionMnist('t10k');
    const file = join(dir, 'images.safetensors');
    const n = 40;
    saveWeightsFile(file, {
      images: tensor([n, 1, 28, 28], test.images.slice(9000 * 784, (9000 + n) * 784)),
      labels: tensor([n], Float32Array.from(test.labels.slice(9000, 9000 + n))),
    });
    const r = await denoc('eval', '--images', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${n} images of ${file} against the 10000 Fashion-MNIST test images`);
    const [fd, floor, noise] = row(r.out, 'FD');
    expect(fd).toBeLessThan(noise);
    expect(floor).toBeLessThan(noise);
    expect(row(r.out, 'class agreement')[0]).toBeGreaterThan(0.7);
    expect(r.err).toContain('eval: floor: 40 noise images');
  });

  it('draws its images from a sampler of a .dn file (random weights score like noise, not like data)', async () => {
    const r = await denoc('eval', 'examples/unet_small.dn', '--n', '8', '--batch', '8', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out).toContain('8 samples of ddim (20 steps)');
    expect(r.err).toContain('seeded random weights');
    const [fd, floor] = row(r.out, 'FD');
    expect(fd).toBeGreaterThan(floor);
    expect(row(r.out, 'class agreement')).toHaveLength(3);
  });
});
