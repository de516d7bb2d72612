// `denoc distill` as a user runs it (a child process): --help, and clear errors without stack traces for
// --from/--to that are not powers of two or do not decrease, and a missing teacher (each spawn costs
// a few seconds, so the option checks themselves are covered in-process by round.test.ts).
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
    for (const flag of ['--weights', '--data', '--from', '--to', '--steps-per-round', '--out', '--resume', '--backend', '--seed'])
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
});
