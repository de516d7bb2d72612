// Fuzzes the `denoc` command line in process (denocInProcess) with argument vectors drawn from the cheap
// commands × their options × hostile values × files that exist, do not, are folders or devices or
// broken programs. Every outcome must be exit 0, a usage error (2) or a coded error (1): never a JS stack
// trace, never the internal code, never an uncoded `denoc: error:` line, within a time bound.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { denocInProcess } from '../helpers/cli.ts';
import { fuzzParams, INTERNAL_CODE, OutcomeTally, STACK_FRAME } from './fuzz-settings.ts';

const dir = mkdtempSync(join(tmpdir(), 'denoc-cli-fuzz-'));
writeFileSync(join(dir, 'broken.dn'), 'model M( {\n');
writeFileSync(join(dir, 'empty.dn'), '');
writeFileSync(join(dir, 'binary.dn'), Buffer.from([0, 255, 10, 0x7b, 0xc3]));

const FILES = [
  'examples/mlp2d.dn',
  'examples/gaussian.dn',
  join(dir, 'broken.dn'),
  join(dir, 'empty.dn'),
  join(dir, 'binary.dn'),
  join(dir, 'missing.dn'),
  dir,
  '/dev/null',
  '',
];

const VALUES = [
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
const COMMANDS: Record<string, readonly string[]> = {
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
const EXPENSIVE = new Set(['compile', 'run', 'train', 'distill']);

/** Options that take no value, so the fuzzer does not feed them one. */
const FLAGS = new Set(['--stats', '--why-not-fused', '--help']);

/** ms one command may take: inspecting a 50-step sampler takes about a second. */
const TIME_BOUND_MS = 20_000;

const tally = new OutcomeTally('cli');
afterAll(() => console.log(tally.report()));

const argv: fc.Arbitrary<string[]> = fc
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

describe('CLI fuzzing', () => {
  it('ends every argument vector with success, a usage error or a coded error', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const start = performance.now();
        const { code, err } = await denocInProcess(...args);
        const ms = performance.now() - start;
        const what = `denoc ${args.map((a) => JSON.stringify(a)).join(' ')} → ${code}\n${err}`;
        expect(err, what).not.toMatch(STACK_FRAME);
        expect(err, what).not.toContain(INTERNAL_CODE);
        expect(err, what).not.toContain('denoc: error:');
        expect([0, 1, 2], what).toContain(code);
        if (code === 1) expect(err, what).toMatch(/error [A-Z]{2,4}\d{4}/);
        expect(ms).toBeLessThan(TIME_BOUND_MS);
        tally.add(code === 1 ? (err.match(/error ([A-Z]{2,4}\d{4})/)?.[1] ?? 'coded') : `exit ${code}`);
      }),
      fuzzParams(120),
    );
  });

  // found by this fuzzer: `check` read a folder with readFileSync and printed an uncoded EISDIR
  it('checks a folder with DSL0103, not an uncoded EISDIR', async () => {
    const { code, err } = await denocInProcess('check', dir);
    expect(code).toBe(1);
    expect(err).toContain(`error DSL0103: cannot read '${dir}' (not a regular file)`);
  });
});
