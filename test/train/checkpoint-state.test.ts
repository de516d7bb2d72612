// A checkpoint's state.json is read as hostile input: a step that is not a whole number, or file fields
// that are not plain file names in the folder, are TRN0501 "corrupt" instead of a resume from garbage.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkpointStep, loadCheckpoint, saveCheckpoint, type Parameters } from '../../runtime/train/checkpoint.ts';

const params: Parameters = { paths: ['w'], shapes: [[2]] };
const config = { lr: 0.001 };

function savedCheckpoint(): string {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-ckpt-'));
  const zeros = [new Float32Array(2)];
  saveCheckpoint(dir, params, { step: 3, weights: zeros, adam: { step: 3, m: zeros, v: zeros }, losses: [1, 2, 3] }, config, 0);
  return dir;
}

function withState(dir: string, change: Record<string, unknown>): void {
  const path = join(dir, 'state.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...change }));
}

describe('checkpoint state.json', () => {
  it('loads a sound checkpoint', () => {
    const dir = savedCheckpoint();
    expect(checkpointStep(dir)).toBe(3);
    expect(loadCheckpoint(dir, params, config, false).step).toBe(3);
  });

  it.each([['abc'], [-1], [1.5], [null], [1e300]])('refuses step %j as corrupt (TRN0501)', (step) => {
    const dir = savedCheckpoint();
    withState(dir, { step });
    expect(() => checkpointStep(dir)).toThrow(/TRN0501: .*state.json is corrupt: step .* is not a whole number >= 0/);
    expect(() => loadCheckpoint(dir, params, config, false)).toThrow(/TRN0501/);
  });

  it.each([['../../etc/passwd'], [''], [7]])('refuses a weights file field %j that is not a file name (TRN0501)', (weights) => {
    const dir = savedCheckpoint();
    withState(dir, { weights });
    expect(() => loadCheckpoint(dir, params, config, false)).toThrow(/TRN0501: .*corrupt: weights .* is not a file name/);
  });

  it('refuses a config that is not an object (TRN0501)', () => {
    const dir = savedCheckpoint();
    withState(dir, { config: [1] });
    expect(() => loadCheckpoint(dir, params, config, false)).toThrow(/TRN0501: .*corrupt: config is not an object/);
  });
});
