// Fuzzes the front end (checkSource: parse, resolve, check, lower) with small valid programs from a
// generator and with token-level mutations of the examples. Every outcome must be success or error
// diagnostics that each carry a code and a position, never the internal code DSL0999, within a time bound.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkSource } from '../../dsl/index.ts';
import { fuzzParams, INTERNAL_CODE, OutcomeTally, yieldToRunner } from './fuzz-settings.ts';

const EXAMPLES = ['mlp2d', 'unet_small', 'gaussian', 'gmm', 'dit_tiny'].map((n) => ({
  file: `examples/${n}.dn`,
  text: readFileSync(`examples/${n}.dn`, 'utf8'),
}));

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

/** Words, numbers, strings and single punctuation characters: the unit the mutations work on. */
function tokenize(text: string): string[] {
  return text.match(/\s+|"[^"\n]*"|[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?|[^\s]/g) ?? [];
}

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'bytes'; at: number; bytes: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.string({ unit: 'binary', maxLength: 8 }) }),
);

function mutate(tokens: readonly string[], mutations: readonly Mutation[]): string {
  const out = [...tokens];
  for (const m of mutations) {
    if (out.length === 0) break;
    const i = m.at % out.length;
    if (m.kind === 'delete') out.splice(i, 1);
    else if (m.kind === 'duplicate') out.splice(i, 0, out[i]);
    else if (m.kind === 'swap') {
      const j = m.with % out.length;
      [out[i], out[j]] = [out[j], out[i]];
    } else out.splice(i, 0, m.bytes);
  }
  return out.join('');
}

/** A small valid expression over `h` from a subset of the grammar: operators, calls, literals, parentheses. */
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant('h'),
    fc.tuple(fc.constantFrom('silu', 'relu', 'tanh', 'sigmoid'), tie('e')).map(([f, a]) => `${f}(${a})`),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
    fc
      .tuple(tie('e'), fc.constantFrom('*', '/', '+'), fc.double({ min: 0.125, max: 8, noNaN: true }))
      .map(([a, op, c]) => `${a} ${op} ${c.toFixed(3)}`),
    tie('e').map((a) => `(${a})`),
    tie('e').map((a) => `-${a}`),
  ),
})).e;

const program: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 16 }), fc.array(expression, { minLength: 1, maxLength: 4 }))
  .map(([hidden, lines]) =>
    [
      'import "std/nn"',
      `model M(hidden: int = ${hidden}) {`,
      '  inp = Linear(2, hidden)',
      '  out = Linear(hidden, 2)',
      '  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {',
      '    h = inp(x)',
      ...lines.map((l) => `    h = ${l}`),
      '    return out(h)',
      '  }',
      '}',
      '',
    ].join('\n'),
  );

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
