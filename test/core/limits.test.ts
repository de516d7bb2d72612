/**
 * The table of limits (compiler/core/limits.ts) against docs/reliability.md: every limit is listed
 * there with its code, each code is in a diagnostic table, and the error message says how to go further.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_FAMILIES } from '../../compiler/core/diagnostic-codes/index.ts';
import { LIMITS, limitMessage, type LimitName } from '../../compiler/core/limits.ts';

const DOC = readFileSync(join(import.meta.dirname, '../../docs/reliability.md'), 'utf8');
const ALL_CODES = new Set(DIAGNOSTIC_FAMILIES.flatMap((f) => Object.keys(f.codes)));

describe('limits', () => {
  for (const [name, limit] of Object.entries(LIMITS) as [LimitName, (typeof LIMITS)[LimitName]][]) {
    it(`lists ${name} in docs/reliability.md with its code`, () => {
      const row = DOC.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      expect(row, `docs/reliability.md has no row for ${name}`).toBeDefined();
      expect(row).toContain(`| ${limit.code} |`);
      expect(ALL_CODES.has(limit.code)).toBe(true);
    });
  }

  it('says in each message the value, the limit, its name and how to go further', () => {
    expect(limitMessage('nestingDepth', 70)).toBe(
      `70 ${LIMITS.nestingDepth.what} is over the limit of 64 (nestingDepth); to go further, ${LIMITS.nestingDepth.raise}`,
    );
  });
});
