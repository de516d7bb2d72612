/**
 * `denoc run` on a model whose samples are not finite (issue 17): exit 1 with CLI0041, no PNG written,
 * no stack trace; weights holding NaN or Inf are refused (WGT0014) unless --allow-nonfinite-weights
 * asks for a warning (WGT0016) that lists the tensors and counts; and empty --weights and --seed
 * values are refused rather than read as defaults.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadWeightsFile, saveWeightsFile } from '../../runtime/weights/files.ts';
import { denocInProcess as denoc } from '../helpers/cli.ts';

const OVERFLOWING = `import "std/samplers"
model Blowup() {
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {
    return x * 1e30 * 1e30
  }
}
sampler s = ddim(Blowup, steps: 2)
`;

describe('denoc run with non-finite numbers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-nonfinite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 1 with CLI0041 and writes no PNG when the samples overflow', async () => {
    const file = join(dir, 'blowup.dn');
    const out = join(dir, 'out.png');
    writeFileSync(file, OVERFLOWING);
    const r = await denoc('run', file, '--batch', '4', '--out', out, '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CLI0041/);
    expect(r.err).toMatch(/NaN or infinite/);
    expect(r.err).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(out)).toBe(false);
  });
});

describe('weights holding NaN or Inf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-nonfinite-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // the shipped 4-step weights with two NaNs in one tensor and an Inf in another
  const weights = join(dir, 'nan.safetensors');
  const tensors = loadWeightsFile('examples/weights/mlp2d-moons-4step.safetensors');
  const [first, second] = [...tensors.keys()];
  tensors.get(first)!.data.set([Number.NaN, Number.NaN], 0);
  tensors.get(second)!.data[0] = Number.POSITIVE_INFINITY;
  saveWeightsFile(weights, tensors);
  const run = ['run', 'examples/mlp2d.dn', '--sampler', 'ddim4', '--weights', weights, '--batch', '4', '--no-progress'];

  it('refuses them by default with WGT0014 naming both tensors and the opt-in', async () => {
    const r = await denoc(...run, '--out', join(dir, 'a.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`error WGT0014: .*2 tensor\\(s\\) hold NaN or infinite values: ${first}, ${second};`));
    expect(r.err).toMatch(/hint: .*--allow-nonfinite-weights/);
    expect(existsSync(join(dir, 'a.png'))).toBe(false);
  });

  it('with --allow-nonfinite-weights, warns with each tensor and its counts, then stops at the NaN samples (CLI0041)', async () => {
    const r = await denoc(...run, '--allow-nonfinite-weights', '--out', join(dir, 'b.png'));
    const size = (name: string) => tensors.get(name)!.data.length;
    expect(r.err).toContain(`warning WGT0016: ${weights}: 2 tensor(s) hold NaN or infinite values, loaded as asked: `);
    expect(r.err).toContain(`${first} (2 of ${size(first)}: 2 NaN, 0 ±Inf), ${second} (1 of ${size(second)}: 0 NaN, 1 ±Inf)`);
    expect(r.err).not.toMatch(/WGT0014/);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error CLI0041/);
    expect(existsSync(join(dir, 'b.png'))).toBe(false);
  });

  it('with --allow-nonfinite-weights, compile writes the artifact after the warning; without it, nothing', async () => {
    const refused = await denoc(
      'compile',
      'examples/mlp2d.dn',
      '--sampler',
      'ddim4',
      '--target',
      'onnx',
      '--weights',
      weights,
      '--out',
      join(dir, 'refused'),
    );
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/error WGT0014/);
    expect(existsSync(join(dir, 'refused'))).toBe(false);
    const allowed = await denoc(
      'compile',
      'examples/mlp2d.dn',
      '--sampler',
      'ddim4',
      '--target',
      'onnx',
      '--weights',
      weights,
      '--out',
      join(dir, 'allowed'),
      '--allow-nonfinite-weights',
    );
    expect(allowed.code, allowed.err).toBe(0);
    expect(allowed.err).toMatch(/warning WGT0016: .*2 tensor\(s\)/);
    expect(existsSync(join(dir, 'allowed', 'model.onnx'))).toBe(true);
  });
});

describe('denoc run with empty option values', () => {
  it('refuses an empty --weights instead of falling back to random weights', async () => {
    const r = await denoc('run', 'examples/mlp2d.dn', '--weights', '', '--batch', '4', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CLI0004.*--weights is empty/);
  });

  it('refuses an empty --seed instead of reading it as 0', async () => {
    const r = await denoc('run', 'examples/mlp2d.dn', '--seed', '', '--batch', '4', '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CLI0020.*--seed must be an integer/);
  });
});
