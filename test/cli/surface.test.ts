/**
 * The whole `denoc` command line against the fuzzers' corpus (issue 17, deliverable 5): every command
 * of cli/main.ts runs in process on inputs drawn, seeded, from the generators in test/fuzz/generators/ —
 * argument vectors, mutated and generated programs, mutated safetensors files (the shipped weights and
 * files built from the spec) and mutated checkpoint folders of a real `denoc train` run. The test fails
 * on any output holding a JS stack trace, the internal code DSL0999 or an uncoded `denoc: error:` line,
 * and on an exit status other than 0, 1 (with a coded error) or 2 (usage). 200 inputs, bounded in time.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';
import { denocInProcess } from '../helpers/cli.ts';
import { FUZZ_SEED, INTERNAL_CODE, OutcomeTally, STACK_FRAME } from '../fuzz/fuzz-settings.ts';
import { argv, FILES, VALUES } from '../fuzz/generators/cli-args.ts';
import { mutation as checkpointMutation, mutate as mutateCheckpoint, runs, save } from '../fuzz/generators/checkpoints.ts';
import { mutatedExample, program } from '../fuzz/generators/programs.ts';
import { applyMutation, encode, files as specFiles, mutation as safetensorsMutation, specFileOf } from '../fuzz/generators/safetensors.ts';

const dir = mkdtempSync(join(tmpdir(), 'denoc-surface-'));
const tally = new OutcomeTally('cli surface');
afterAll(() => {
  console.log(tally.report());
  rmSync(dir, { recursive: true, force: true });
});

/** One command: what it ran and what a user would have seen. */
interface Outcome {
  args: string[];
  code: number;
  out: string;
  err: string;
}

async function denoc(...args: string[]): Promise<Outcome> {
  const r = await denocInProcess(...args);
  const outcome = { args, ...r };
  tally.add(r.code === 1 ? (r.err.match(/error ([A-Z]{2,5}\d{4})/)?.[1] ?? 'uncoded') : `exit ${r.code}`);
  return outcome;
}

/** What must never reach a user; a list of the offences, empty when the outcome is clean. */
function offences({ args, code, out, err }: Outcome): string[] {
  const what = `denoc ${args.map((a) => JSON.stringify(a)).join(' ')} → ${code}`;
  const found: string[] = [];
  if (STACK_FRAME.test(out) || STACK_FRAME.test(err)) found.push(`${what}: a JS stack trace\n${err}`);
  if (out.includes(INTERNAL_CODE) || err.includes(INTERNAL_CODE)) found.push(`${what}: the internal code ${INTERNAL_CODE}\n${err}`);
  if (err.includes('denoc: error:')) found.push(`${what}: an uncoded error\n${err}`);
  if (![0, 1, 2].includes(code)) found.push(`${what}: exit status ${code}`);
  if (code === 1 && !/error [A-Z]{2,5}\d{4}/.test(err)) found.push(`${what}: exit 1 without a coded error\n${err}`);
  return found;
}

const sample = <T>(arb: fc.Arbitrary<T>, n: number, salt: number): T[] => fc.sample(arb, { numRuns: n, seed: FUZZ_SEED + salt });

/** The command names cli/main.ts registers, so a new command is in the surface without editing this file. */
const COMMANDS = buildProgram().commands.map((c) => c.name());

/** Options of the training run whose checkpoint folder is mutated: cheap (tape engine, no evaluation). */
const TRAIN = ['--data', 'moons', '--batch', '8', '--engine', 'tape', '--backend', 'cpu', '--eval', '0', '--checkpoint-every', '1', '--no-progress'];

describe('the whole CLI surface against the fuzzers corpus', () => {
  const base = join(dir, 'base');
  let baseFiles: string[] = [];

  beforeAll(async () => {
    const r = await denocInProcess(
      'train',
      'examples/mlp2d.dn',
      ...TRAIN,
      '--steps',
      '1',
      '--out',
      join(base, 'w.safetensors'),
      '--checkpoint',
      base,
    );
    expect(r.code, r.err).toBe(0);
    const state = JSON.parse(readFileSync(join(base, 'state.json'), 'utf8')) as { weights: string; optimizer: string };
    baseFiles = ['state.json', state.weights, state.optimizer];
  });

  it('gives every command its help, and every command every hostile file and value', async () => {
    const found: string[] = [];
    for (const command of COMMANDS) {
      found.push(...offences(await denoc(command, '--help')));
      for (const file of FILES.slice(2, 6)) found.push(...offences(await denoc(command, file, '--help')));
    }
    // cheap commands run for real on each hostile file; the rest fail on their arguments before work
    for (const file of FILES) found.push(...offences(await denoc('check', file)), ...offences(await denoc('inspect', file)));
    for (const value of VALUES.slice(0, 9))
      found.push(...offences(await denoc('run', 'examples/mlp2d.dn', '--batch', value, '--out', join(dir, 'v.png'))));
    expect(found).toEqual([]);
  });

  it('runs 200 inputs from the generators without a stack trace or the internal code', async () => {
    const t0 = performance.now();
    const found: string[] = [];
    let inputs = 0;
    // 70 argument vectors of the CLI fuzzer
    for (const args of sample(argv, 70, 1)) {
      found.push(...offences(await denoc(...args)));
      inputs++;
    }
    // 50 programs: mutated examples (check; every fifth also inspect) and generated valid ones
    const programs = [...sample(mutatedExample, 40, 2).map((p) => p.text), ...sample(program, 10, 3)];
    for (const [i, text] of programs.entries()) {
      const file = join(dir, `p${i}.dn`);
      writeFileSync(file, text);
      found.push(...offences(await denoc('check', file)));
      if (i % 5 === 0) found.push(...offences(await denoc('inspect', file)));
      inputs++;
    }
    // 50 weights files: the shipped 4-step weights mutated, and spec-built files, sampled from
    const shipped = specFileOf(new Uint8Array(readFileSync('examples/weights/mlp2d-moons-4step.safetensors')));
    const weights = [
      ...sample(safetensorsMutation, 35, 4).map((m) => applyMutation(shipped, m)),
      ...sample(specFiles, 15, 5).map(({ file }) => encode(file.header, file.data)),
    ];
    for (const [i, bytes] of weights.entries()) {
      const file = join(dir, `w${i}.safetensors`);
      writeFileSync(file, bytes);
      const run = ['run', 'examples/mlp2d.dn', '--sampler', 'ddim4', '--batch', '2', '--weights', file, '--out', join(dir, 'w.png'), '--no-progress'];
      found.push(...offences(await denoc(...run)));
      inputs++;
    }
    // 30 checkpoint folders: the real run's folder mutated and resumed, and folders of other runs
    for (const [i, m] of sample(checkpointMutation, 25, 6).entries()) {
      const folder = join(dir, `ckpt${i}`);
      cpSync(base, folder, { recursive: true });
      mutateCheckpoint(
        baseFiles.map((f) => join(folder, f)),
        m,
      );
      found.push(
        ...offences(
          await denoc(
            'train',
            'examples/mlp2d.dn',
            ...TRAIN,
            '--steps',
            '2',
            '--resume',
            '--checkpoint',
            folder,
            '--out',
            join(folder, 'w.safetensors'),
          ),
        ),
      );
      inputs++;
    }
    for (const run of sample(runs, 5, 7)) {
      const { dir: folder } = save(dir, run);
      found.push(
        ...offences(
          await denoc(
            'train',
            'examples/mlp2d.dn',
            ...TRAIN,
            '--steps',
            '2',
            '--resume',
            '--checkpoint',
            folder,
            '--out',
            join(folder, 'w.safetensors'),
          ),
        ),
      );
      inputs++;
    }
    expect(inputs).toBe(200);
    expect(found).toEqual([]);
    expect(performance.now() - t0).toBeLessThan(60_000);
  });
});
