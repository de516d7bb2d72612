// `denoc train` as a user runs it (a child process, as test/cli/cli.test.ts does): help, clear errors for
// bad options, and a short run whose weights `denoc run --weights` accepts.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { denoc } from '../helpers/process.ts';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('denoc train', () => {
  it('has --help listing its options, exit 0', async () => {
    const r = await denoc('train', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: denoc train');
    for (const flag of ['--data', '--steps', '--batch', '--lr', '--out', '--model', '--resume', '--backend', '--seed', '--plot'])
      expect(r.out).toContain(flag);
    expect(r.out.replace(/\s+/g, ' ')).toContain('moons | rings | gaussians8 | fashion-mnist');
  });

  it('names the data sets when --data is unknown, exit 1, no stack trace', async () => {
    const r = await denoc('train', 'examples/mlp2d.dn', '--data', 'moon', '--steps', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain("error TRN0301: unknown data set 'moon' (data sets: moons, rings, gaussians8, fashion-mnist)");
    expect(r.err).toContain("did you mean 'moons'?");
    noStack(r.err);
  });

  it('requires --data, exit 2', async () => {
    const r = await denoc('train', 'examples/mlp2d.dn');
    expect(r.code).toBe(2);
    expect(r.err).toContain("required option '--data <name>' not specified");
  });

  it('rejects a bad --lr, exit 1', async () => {
    const r = await denoc('train', 'examples/mlp2d.dn', '--data', 'moons', '--lr', 'fast');
    expect(r.code).toBe(1);
    expect(r.err).toContain("--lr must be a positive number, got 'fast'");
  });

  it('trains a few steps, writes weights, loss curve and checkpoint, and measures the samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-train-cli-'));
    const r = await denoc(
      'train',
      'examples/mlp2d.dn',
      '--data',
      'rings',
      '--steps',
      '20',
      '--batch',
      '64',
      '--out',
      join(dir, 'w.safetensors'),
      '--eval',
      '200',
      '--no-progress',
    );
    // The default engine is the compiled step on onnxruntime, named on the first line.
    expect(r.err.split('\n')[0]).toBe('training MLP2D on rings (prediction eps, schedule linear, T 1000) with engine graph/onnx');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/trained MLP2D on rings: step 20 \(20 this run, [\d.]+ s, [\d.]+ steps\/s\), loss [\d.]+/);
    expect(r.out).toMatch(
      /sample quality \(sliced Wasserstein-1 to 200 held-out points, ddim 50 steps, seed 0\): trained [\d.]+, random weights [\d.]+/,
    );
    for (const f of ['w.safetensors', 'w.loss.png', 'w.ckpt/state.json']) expect(existsSync(join(dir, f)), f).toBe(true);
  });

  it('will not overwrite a checkpoint unasked, and run accepts the weights it wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-train-cli-'));
    const out = join(dir, 'w.safetensors');
    const args = ['train', 'examples/mlp2d.dn', '--data', 'moons', '--steps', '5', '--batch', '32', '--out', out, '--eval', '0', '--no-progress'];
    expect((await denoc(...args)).code).toBe(0);
    const again = await denoc(...args);
    expect(again.code).toBe(1);
    expect(again.err).toContain(`error TRN0604: ${join(dir, 'w.ckpt')} already holds a checkpoint at step 5`);
    const run = await denoc('run', 'examples/mlp2d.dn', '--weights', out, '--batch', '50', '--out', join(dir, 's.png'), '--no-progress');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
  });
});
