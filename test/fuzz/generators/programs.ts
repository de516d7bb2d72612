// Generators of DSL programs for the fuzzers (test/fuzz/): small valid programs from a subset of the
// grammar, and the examples mutated at the token level (deleted, duplicated, swapped tokens, random
// bytes inserted). dsl.fuzz.test.ts checks them with the front end; cli-surface.fuzz.test.ts feeds them
// to every command.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

export const EXAMPLES = ['mlp2d', 'unet_small', 'gaussian', 'gmm', 'dit_tiny'].map((n) => ({
  file: `examples/${n}.dn`,
  text: readFileSync(`examples/${n}.dn`, 'utf8'),
}));

/** Words, numbers, strings and single punctuation characters: the unit the mutations work on. */
export function tokenize(text: string): string[] {
  return text.match(/\s+|"[^"\n]*"|[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?|[^\s]/g) ?? [];
}

export type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'duplicate'; at: number }
  | { kind: 'swap'; at: number; with: number }
  | { kind: 'bytes'; at: number; bytes: string };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.string({ unit: 'binary', maxLength: 8 }) }),
);

export function mutate(tokens: readonly string[], mutations: readonly Mutation[]): string {
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
export const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
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

export const program: fc.Arbitrary<string> = fc
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

/** An example program with 1-4 token mutations: its file name and the mutated text. */
export const mutatedExample: fc.Arbitrary<{ file: string; text: string }> = fc
  .tuple(fc.nat(EXAMPLES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([which, mutations]) => ({ file: EXAMPLES[which].file, text: mutate(tokenize(EXAMPLES[which].text), mutations) }));
