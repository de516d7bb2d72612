// Fuzzes the front end (checkSource: parse, resolve, check, lower) with small valid programs from a
// generator and with token-level mutations of the examples. Every outcome must be success or error
// diagnostics that each carry a code and a position, never the internal code DSL0999, within a time bound.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../dsl/index.ts';
import { fuzzParams, INTERNAL_CODE, OutcomeTally, yieldToRunner } from './fuzz-settings.ts';
import { EXAMPLES, mutate, mutation, program, tokenize } from './generators/programs.ts';

/** ms one input may take: lowering a whole example is ~0.3 s, so this flags only hangs and blow-ups. */
const TIME_BOUND_MS = 5000;

const tally = new OutcomeTally('dsl');
afterAll(() => console.log(tally.report()));

function expectCodedOutcome(text: string, file: string): void {
  const start = performance.now();
  const diagnostics = checkSource(text, file);
  const ms = performance.now() - start;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) {
    expect(d.code, d.message).not.toBe(INTERNAL_CODE);
    expect(d.code).toMatch(/^[A-Z]{2,4}\d{4}$/);
    expect(d.span, `${d.code} without a position: ${d.message}`).toBeDefined();
  }
  expect(ms).toBeLessThan(TIME_BOUND_MS);
  tally.add(errors.length ? errors[0].code : 'ok');
}

describe('front-end fuzzing', () => {
  it('accepts generated valid programs', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (text) => {
        await yieldToRunner();
        const errors = checkSource(text, 'generated.dn').filter((d) => d.severity === 'error');
        expect(errors.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
        tally.add('ok (generated)');
      }),
      fuzzParams(40),
    );
  });

  it('reports mutated examples with coded, positioned diagnostics', async () => {
    const tokenized = EXAMPLES.map((e) => ({ ...e, tokens: tokenize(e.text) }));
    await fc.assert(
      fc.asyncProperty(fc.nat(tokenized.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (which, mutations) => {
        await yieldToRunner();
        const ex = tokenized[which];
        expectCodedOutcome(mutate(ex.tokens, mutations), ex.file);
      }),
      fuzzParams(80),
    );
  });

  it('reports random bytes with coded, positioned diagnostics', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => expectCodedOutcome(text, 'random.dn')),
      fuzzParams(60),
    );
  });
});
