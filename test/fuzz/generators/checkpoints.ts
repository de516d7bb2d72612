// Generators of training checkpoint folders for the fuzzers (test/fuzz/): folders that saveCheckpoint
// (runtime/train/checkpoint.ts) writes for random small models, and mutations of them: files truncated,
// bytes overwritten, state.json replaced by broken JSON or a field of it set to a random JSON value, a
// file deleted, a safetensors header declaring a huge length or shape, state.json made huge or a link to
// /dev/zero.
import { mkdirSync, readFileSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { type Parameters, type RunConfig, saveCheckpoint, type TrainState } from '../../../runtime/train/checkpoint.ts';

export interface Run {
  params: Parameters;
  state: TrainState;
  config: RunConfig;
  ema: boolean;
}

const shape = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });
const floats = (n: number) => fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -4, max: 4 }), { minLength: n, maxLength: n });

export const runs: fc.Arbitrary<Run> = fc
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

export type Mutation =
  | { kind: 'truncate'; file: number; keep: number }
  | { kind: 'overwrite'; file: number; at: number; byte: number }
  | { kind: 'json'; text: string }
  | { kind: 'field'; field: 'step' | 'format' | 'weights' | 'optimizer' | 'config' | 'rng'; value: unknown }
  | { kind: 'delete'; file: number }
  | { kind: 'header'; file: number; length: bigint }
  | { kind: 'shape'; file: number; dims: number[] }
  | { kind: 'huge-state' }
  | { kind: 'device-state' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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

/** A checkpoint folder saved for `run` under `root`, and its three files (state.json first). */
export function save(root: string, run: Run): { dir: string; files: string[] } {
  const dir = join(root, `c${folders++}`);
  mkdirSync(dir);
  saveCheckpoint(dir, run.params, run.state, run.config, 7);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { weights: string; optimizer: string };
  return { dir, files: ['state.json', state.weights, state.optimizer].map((f) => join(dir, f)) };
}

export function mutate(files: readonly string[], m: Mutation): void {
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
