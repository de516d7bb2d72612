// Generators of `denoc` argument vectors for the fuzzers (test/fuzz/): the cheap commands × their
// options × hostile values (empty, negative, huge, NaN, names) × files that exist, do not, are folders
// or devices or broken programs; commands that sample, compile or train always get --help.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';

/** A folder of hostile fixture files, itself one of the FILES (a folder where a file is expected). */
export const FIXTURE_DIR = mkdtempSync(join(tmpdir(), 'denoc-cli-fuzz-'));
writeFileSync(join(FIXTURE_DIR, 'broken.dn'), 'model M( {\n');
writeFileSync(join(FIXTURE_DIR, 'empty.dn'), '');
writeFileSync(join(FIXTURE_DIR, 'binary.dn'), Buffer.from([0, 255, 10, 0x7b, 0xc3]));

export const FILES = [
  'examples/mlp2d.dn',
  'examples/gaussian.dn',
  join(FIXTURE_DIR, 'broken.dn'),
  join(FIXTURE_DIR, 'empty.dn'),
  join(FIXTURE_DIR, 'binary.dn'),
  join(FIXTURE_DIR, 'missing.dn'),
  FIXTURE_DIR,
  '/dev/null',
  '',
];

export const VALUES = [
  '',
  '0',
  '1',
  '-1',
  '3',
  'abc',
  '1e9',
  '99999999999999999999',
  'NaN',
  '--',
  'ddim',
  'ddim4',
  'MLP2D',
  'default',
  'fuse',
  'tpu',
  'stablehlo',
];

/** Commands cheap enough to run hundreds of times, each with the options it knows. */
export const COMMANDS: Record<string, readonly string[]> = {
  check: [],
  inspect: ['--model', '--sampler', '--after', '--pipeline', '--stats', '--batch', '--target', '--cost', '--why-not-fused'],
  passes: [],
  compile: ['--target', '--batch', '--precision', '--sampler'],
  run: ['--steps', '--batch', '--seed', '--classes'],
  train: ['--steps'],
  distill: ['--rounds'],
  nonsense: [],
};

/** Commands that sample, compile or train: the fuzzer always asks for their help, which parses and stops. */
export const EXPENSIVE = new Set(['compile', 'run', 'train', 'distill']);

/** Options that take no value, so the fuzzer does not feed them one. */
export const FLAGS = new Set(['--stats', '--why-not-fused', '--help']);

export const argv: fc.Arbitrary<string[]> = fc
  .constantFrom(...Object.keys(COMMANDS))
  .chain((command) =>
    fc
      .tuple(
        fc.option(fc.constantFrom(...FILES), { nil: undefined, freq: 4 }),
        fc.array(fc.tuple(fc.constantFrom('--bogus', ...COMMANDS[command]), fc.constantFrom(...VALUES)), { maxLength: 3 }),
      )
      .map(([file, options]) => [
        command,
        ...(file === undefined ? [] : [file]),
        ...options.flatMap(([name, value]) => (FLAGS.has(name) ? [name] : [name, value])),
        ...(EXPENSIVE.has(command) ? ['--help'] : []),
      ]),
  );
