/**
 * Weights files against hostile input (issue 17): a device or a directory is refused unread, and a
 * file whose tensors hold NaN or ±Inf is refused with the names of those tensors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { firstNonFinite, tensor } from '../../compiler/core/tensor.ts';
import { loadWeightsFile, saveWeightsFile } from '../../runtime/weights/files.ts';

function errorOf(fn: () => unknown): DenocError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenocError) return e;
    throw e;
  }
  throw new Error('expected a DenocError');
}

describe('weights files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-wfiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses /dev/zero and a directory without reading them', () => {
    const dev = errorOf(() => loadWeightsFile('/dev/zero'));
    expect(dev.diagnostics[0].code).toBe('WGT0001');
    expect(dev.message).toMatch(/not a regular file/);
    expect(errorOf(() => loadWeightsFile(dir)).diagnostics[0].code).toBe('WGT0001');
  });

  it('refuses NaN and infinite weights, naming the tensors', () => {
    const path = join(dir, 'bad.safetensors');
    saveWeightsFile(
      path,
      new Map([
        ['ok', tensor([2], Float32Array.of(1, 2))],
        ['has.nan', tensor([2], Float32Array.of(1, Number.NaN))],
        ['has.inf', tensor([1], Float32Array.of(Number.NEGATIVE_INFINITY))],
      ]),
    );
    const e = errorOf(() => loadWeightsFile(path));
    expect(e.diagnostics[0].code).toBe('WGT0014');
    expect(e.message).toMatch(/2 tensor\(s\) hold NaN or infinite values: has\.(inf|nan), has\.(inf|nan);/);
    expect(e.message).not.toMatch(/\bok\b/);
  });

  it('loads finite weights unchanged', () => {
    const path = join(dir, 'good.safetensors');
    saveWeightsFile(path, new Map([['w', tensor([3], Float32Array.of(0, -1024, 3.5))]]));
    expect([...(loadWeightsFile(path).get('w')?.data ?? [])]).toEqual([0, -1024, 3.5]);
  });

  it('finds the first non-finite value', () => {
    expect(firstNonFinite([1, 2, 3])).toBe(-1);
    expect(firstNonFinite([1, Number.POSITIVE_INFINITY, Number.NaN])).toBe(1);
  });
});
