// --classes is checked against the sampler: labels for an unconditional model are refused (CLI0022)
// instead of being ignored, and an empty label is not read as class 0 (CLI0021).
import { describe, expect, it } from 'vitest';
import { parseClassList } from '../../cli/options.ts';
import { denocInProcess } from '../helpers/cli.ts';

describe('--classes', () => {
  it('is refused for an unconditional model (mlp2d) with CLI0022, and nothing is sampled', async () => {
    const { code, err, out } = await denocInProcess(
      'run',
      'examples/mlp2d.dn',
      '--sampler',
      'ddim4',
      '--batch',
      '4',
      '--classes',
      '1',
      '--out',
      '/nonexistent/never.png',
    );
    expect(code).toBe(1);
    expect(err).toContain('error CLI0022: --classes given, but this sampler takes no class labels');
    expect(out).toBe('');
  });

  it.each([[''], ['1,'], [' ']])('refuses the empty label in %j with CLI0021', (value) => {
    expect(() => parseClassList(value, 4)).toThrow(/CLI0021: --classes: '.*' is not a class in 0..9/);
  });

  it('still cycles valid labels over the batch', () => {
    expect([...parseClassList('1, 2', 4)]).toEqual([1, 2, 1, 2]);
  });
});
