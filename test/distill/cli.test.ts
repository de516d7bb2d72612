// `denoc distill` as a user runs it (a child process): --help, and clear errors without stack traces for
// --from/--to that are not powers of two or do not decrease, and a missing teacher (each spawn costs
// a few seconds, so the option checks themselves are covered in-process by round.test.ts).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { denoc } from '../helpers/process.ts';

const TEACHER = 'examples/weights/mlp2d-moons.safetensors';

const distill = (...args: string[]) =>
  denoc('distill', 'examples/mlp2d.dn', '--weights', TEACHER, '--data', 'moons', '--out', '/tmp/denoc-distill-cli.safetensors', ...args);
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('denoc distill', () => {
  it('has --help listing its options, exit 0', async () => {
    const r = await denoc('distill', '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: denoc distill');
    for (const flag of ['--weights', '--data', '--from', '--to', '--steps-per-round', '--out', '--resume', '--backend', '--engine', '--seed'])
      expect(r.out).toContain(flag);
  });

  it.each([
    [['--from', '48'], /DST0201: --from must be a power of two .* got 48/],
    [['--from', '4', '--to', '8'], /DST0201: --to \(8\) must be fewer steps than --from \(4\)/],
  ])('rejects %j with a clear message, exit 1', async (args, message) => {
    const r = await distill(...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    noStack(r.err);
  });

  it('says which teacher file is missing, exit 1', async () => {
    const r = await denoc('distill', 'examples/mlp2d.dn', '--weights', 'nope.safetensors', '--data', 'moons');
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot read weights 'nope.safetensors': no such file");
    noStack(r.err);
  });

  it('distills on the compiled onnx engine by default and names it on the first line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-distill-'));
    const out = join(dir, 's.safetensors');
    const r = await denoc(
      'distill',
      'examples/mlp2d.dn',
      '--weights',
      TEACHER,
      '--data',
      'moons',
      '--out',
      out,
      '--from',
      '4',
      '--to',
      '2',
      '--steps-per-round',
      '3',
      '--batch',
      '32',
      '--eval',
      '0',
      '--no-progress',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n')[0]).toMatch(/^distilling MLP2D on moons .*: DDIM 4 -> 2 steps, 3 steps per round, engine graph\/onnx$/);
    expect(r.out).toMatch(/round 4 -> 2: 3 steps this run/);
    expect(existsSync(out)).toBe(true);
    const bad = await denoc('distill', 'examples/mlp2d.dn', '--weights', TEACHER, '--data', 'moons', '--engine', 'gpu');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("CLI0012: unknown engine 'gpu' (onnx | tape)");
  });
});
