// Fuzzes the `denoc` command line in process (denocInProcess) with argument vectors drawn from the cheap
// commands × their options × hostile values × files that exist, do not, are folders or devices or
// broken programs. Every outcome must be exit 0, a usage error (2) or a coded error (1): never a JS stack
// trace, never the internal code, never an uncoded `denoc: error:` line, within a time bound.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { denocInProcess } from '../helpers/cli.ts';
import { fuzzParams, INTERNAL_CODE, OutcomeTally, STACK_FRAME } from './fuzz-settings.ts';
import { argv, FIXTURE_DIR } from './generators/cli-args.ts';

/** ms one command may take: inspecting a 50-step sampler takes about a second. */
const TIME_BOUND_MS = 20_000;

const tally = new OutcomeTally('cli');
afterAll(() => console.log(tally.report()));

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
    const { code, err } = await denocInProcess('check', FIXTURE_DIR);
    expect(code).toBe(1);
    expect(err).toContain(`error DSL0103: cannot read '${FIXTURE_DIR}' (not a regular file)`);
  });
});
