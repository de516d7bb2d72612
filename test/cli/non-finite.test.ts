/**
 * `denoc run` on a model whose samples are not finite (issue 17): exit 1 with CLI0041, no PNG written,
 * no stack trace; and empty --weights and --seed values are refused rather than read as defaults.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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
