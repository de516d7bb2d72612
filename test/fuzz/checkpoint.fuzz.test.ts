// Fuzzes the reader of training checkpoint folders (runtime/train/checkpoint.ts) with folders that
// saveCheckpoint wrote for random small models, and with those folders mutated: files truncated,
// bytes overwritten, state.json replaced by broken JSON, a field of state.json (step, format,
// weights, optimizer, config) set to a random JSON value, a file deleted, a safetensors header that
// declares a huge length or shape, state.json made huge or a link to /dev/zero. A valid folder loads
// back bit for bit; every other outcome is a DenocError of TRN or WGT codes, each within a time bound.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { checkpointStep, loadCheckpoint, type Parameters, type RunConfig, saveCheckpoint, type TrainState } from '../../runtime/train/checkpoint.ts';
import { fuzzParams, OutcomeTally, yieldToRunner } from './fuzz-settings.ts';

const tally = new OutcomeTally('checkpoint');
const root = mkdtempSync(join(tmpdir(), 'denoc-ckpt-fuzz-'));
afterAll(() => {
  console.log(tally.report());
  rmSync(root, { recursive: true, force: true });
});

/** Each load of a folder of a few small tensors must finish well inside this. */
const BOUND_MS = 2000;

interface Run {
  params: Parameters;
  state: TrainState;
  config: RunConfig;
  ema: boolean;
}

const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const floats = (n: number) => fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }), { minLength: n, maxLength: n });

const runs: fc.Arbitrary<Run> = fc
  .record({
    shapes: fc.array(shape, { minLength: 1, maxLength: 3 }),
    step: fc.nat(10_000),
    losses: fc.nat(5),
    ema: fc.boolean(),
    config: fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.boolean()), {
      maxKeys: 3,
    }),
  })
  .chain(({ shapes, step, losses, ema, config }) => {
    const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
    const arrays = fc.tuple(...sizes.map((n) => floats(n)));
    return fc.record({ w: arrays, m: arrays, v: arrays, e: arrays, l: floats(losses) }).map(
      ({ w, m, v, e, l }): Run => ({
        params: { paths: shapes.map((_, i) => `layer${i}.weight`), shapes },
        state: {
          step,
          weights: w.map((a) => Float32Array.from(a)),
          adam: {
            step,
            m: m.map((a) => Float32Array.from(a)),
            v: v.map((a) => Float32Array.from(a)),
            ema: ema ? e.map((a) => Float32Array.from(a)) : undefined,
          },
          losses: l.map((x) => Math.fround(x)),
        },
        config,
        ema,
      }),
    );
  });

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 1.5, '3', 1e300, 2 ** 53, null, '../state.json', '/etc/passwd', '', 'state.json', 'step-000000.weights.safetensors'),
);

type Mutation =
  | { kind: 'truncate'; file: number; keep: number }
  | { kind: 'overwrite'; file: number; at: number; byte: number }
  | { kind: 'json'; text: string }
  | { kind: 'field'; field: 'step' | 'format' | 'weights' | 'optimizer' | 'config' | 'rng'; value: unknown }
  | { kind: 'delete'; file: number }
  | { kind: 'header'; file: number; length: bigint }
  | { kind: 'shape'; file: number; dims: number[] }
  | { kind: 'huge-state' }
  | { kind: 'device-state' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), file: fc.nat(2), keep: fc.nat() }),
  fc.record({ kind: fc.constant('overwrite' as const), file: fc.nat(2), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('json' as const), text: fc.oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 2 })) }),
  fc.record({
    kind: fc.constant('field' as const),
    field: fc.constantFrom('step' as const, 'format' as const, 'weights' as const, 'optimizer' as const, 'config' as const, 'rng' as const),
    value: jsonValue,
  }),
  fc.record({ kind: fc.constant('delete' as const), file: fc.nat(2) }),
  fc.record({
    kind: fc.constant('header' as const),
    file: fc.integer({ min: 1, max: 2 }),
    length: fc.constantFrom(0n, 2n ** 31n, 2n ** 40n, 2n ** 63n, 2n ** 64n - 1n),
  }),
  fc.record({
    kind: fc.constant('shape' as const),
    file: fc.integer({ min: 1, max: 2 }),
    dims: fc.array(fc.constantFrom(0, 1, 2 ** 20, 2 ** 31, 2 ** 53), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('huge-state' as const) }),
  fc.record({ kind: fc.constant('device-state' as const) }),
);

let folders = 0;

/** A checkpoint folder saved for `run`, and its three files (state.json first). */
function save(run: Run): { dir: string; files: string[] } {
  const dir = join(root, `c${folders++}`);
  mkdirSync(dir);
  saveCheckpoint(dir, run.params, run.state, run.config, 7);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { weights: string; optimizer: string };
  return { dir, files: ['state.json', state.weights, state.optimizer].map((f) => join(dir, f)) };
}

function mutate(files: readonly string[], m: Mutation): void {
  const [stateFile] = files;
  if (m.kind === 'truncate') truncateSync(files[m.file], m.keep % (statSync(files[m.file]).size + 1));
  if (m.kind === 'overwrite') {
    const bytes = readFileSync(files[m.file]);
    bytes[m.at % bytes.length] = m.byte;
    writeFileSync(files[m.file], bytes);
  }
  if (m.kind === 'json') writeFileSync(stateFile, m.text);
  if (m.kind === 'field') {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify({ ...state, [m.field]: m.value }));
  }
  if (m.kind === 'delete') unlinkSync(files[m.file]);
  if (m.kind === 'header') {
    const bytes = readFileSync(files[m.file]);
    bytes.writeBigUInt64LE(m.length, 0);
    writeFileSync(files[m.file], bytes);
  }
  if (m.kind === 'shape') {
    // the first tensor's shape declared huge, its data_offsets left as they are
    const bytes = readFileSync(files[m.file]);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')) as Record<string, { shape?: number[] }>;
    const first = Object.keys(header).find((k) => k !== '__metadata__');
    if (first) header[first].shape = m.dims;
    const json = Buffer.from(JSON.stringify(header));
    const head = Buffer.alloc(8);
    head.writeBigUInt64LE(BigInt(json.length), 0);
    writeFileSync(files[m.file], Buffer.concat([head, json, bytes.subarray(8 + n)]));
  }
  if (m.kind === 'huge-state') truncateSync(stateFile, 64 * 1024 * 1024);
  if (m.kind === 'device-state') {
    unlinkSync(stateFile);
    symlinkSync('/dev/zero', stateFile);
  }
}

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
        const { dir } = save(run);
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
        const { dir, files } = save(run);
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
    const device = save(run);
    mutate(device.files, { kind: 'device-state' });
    expect(() => checkpointStep(device.dir)).toThrow(/TRN0501: .*state\.json is not a regular file/);
    const huge = save(run);
    mutate(huge.files, { kind: 'huge-state' });
    expect(() => checkpointStep(huge.dir)).toThrow(/TRN0503: .*67108864 bytes in a checkpoint's state\.json is over the limit of 1048576/);
  });
});
