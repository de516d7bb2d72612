// Fuzzes the reader of training checkpoint folders (runtime/train/checkpoint.ts) with folders that
// saveCheckpoint wrote for random small models, and with those folders mutated: files truncated,
// bytes overwritten, state.json replaced by broken JSON, a field of state.json (step, format,
// weights, optimizer, config) set to a random JSON value, a file deleted, a safetensors header that
// declares a huge length or shape, state.json made huge or a link to /dev/zero. A valid folder loads
// back bit for bit; every other outcome is a DenocError of TRN or WGT codes, each within a time bound.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { checkpointStep, loadCheckpoint } from '../../runtime/train/checkpoint.ts';
import { fuzzParams, OutcomeTally, yieldToRunner } from './fuzz-settings.ts';
import { mutate, mutation, type Run, runs, save } from './generators/checkpoints.ts';

const tally = new OutcomeTally('checkpoint');
const root = mkdtempSync(join(tmpdir(), 'denoc-ckpt-fuzz-'));
afterAll(() => {
  console.log(tally.report());
  rmSync(root, { recursive: true, force: true });
});

/** Each load of a folder of a few small tensors must finish well inside this. */
const BOUND_MS = 2000;

/** Loads `dir` as `run` would resume it: success, or a DenocError of TRN/WGT codes, within the bound. */
function expectCodedOutcome(dir: string, run: Run): void {
  const t0 = performance.now();
  try {
    checkpointStep(dir);
    const loaded = loadCheckpoint(dir, run.params, run.config, run.ema);
    expect(loaded.weights.length).toBe(run.params.paths.length);
    tally.add('ok');
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(DenocError);
    const codes = (e as DenocError).diagnostics.map((d) => d.code);
    for (const code of codes) expect(code).toMatch(/^(TRN|WGT)\d{4}$/);
    tally.add(codes[0]);
  }
  expect(performance.now() - t0).toBeLessThan(BOUND_MS);
}

describe('checkpoint folder fuzzing', () => {
  it('loads a saved folder back bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(runs, async (run) => {
        const { dir } = save(root, run);
        const loaded = loadCheckpoint(dir, run.params, run.config, run.ema);
        expect(checkpointStep(dir)).toBe(run.state.step);
        expect(loaded.weights).toEqual(run.state.weights);
        expect(loaded.adam.m).toEqual(run.state.adam.m);
        expect(loaded.adam.ema).toEqual(run.state.adam.ema);
        expect(loaded.losses).toEqual(run.state.losses);
        tally.add('ok (valid)');
        rmSync(dir, { recursive: true });
        await yieldToRunner();
      }),
      fuzzParams(30),
    );
  });

  it('refuses mutated folders with TRN or WGT codes only, each within the time bound', async () => {
    await fc.assert(
      fc.asyncProperty(runs, mutation, async (run, m) => {
        const { dir, files } = save(root, run);
        mutate(files, m);
        expectCodedOutcome(dir, run);
        rmSync(dir, { recursive: true });
        await yieldToRunner();
      }),
      fuzzParams(120),
    );
  });

  it('refuses a state.json that links to /dev/zero (TRN0501) or is 64 MiB (TRN0503) without reading it', () => {
    const run: Run = {
      params: { paths: ['w'], shapes: [[2]] },
      state: { step: 3, weights: [new Float32Array(2)], adam: { step: 3, m: [new Float32Array(2)], v: [new Float32Array(2)] }, losses: [] },
      config: {},
      ema: false,
    };
    const device = save(root, run);
    mutate(device.files, { kind: 'device-state' });
    expect(() => checkpointStep(device.dir)).toThrow(/TRN0501: .*state\.json is not a regular file/);
    const huge = save(root, run);
    mutate(huge.files, { kind: 'huge-state' });
    expect(() => checkpointStep(huge.dir)).toThrow(/TRN0503: .*67108864 bytes in a checkpoint's state\.json is over the limit of 1048576/);
  });
});
