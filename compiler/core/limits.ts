/**
 * The one table of resource limits: every size that input can choose (file bytes, nesting depth,
 * steps, batch, tensor elements, comprehension lengths) is checked against an entry here before
 * anything of that size is allocated or recursed into. docs/reliability.md lists each entry with the
 * code it raises and how to raise it; test/core/limits.test.ts keeps the two in step.
 */
import type { DiagnosticCode } from './diagnostic-codes/index.ts';

export interface Limit {
  /** the largest accepted value */
  readonly max: number;
  /** what is counted, in words for the error message */
  readonly what: string;
  /** the code of the error raised when input exceeds `max` */
  readonly code: DiagnosticCode;
  /** how a user who really needs more gets it */
  readonly raise: string;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const LIMITS = {
  sourceBytes: {
    max: 16 * MiB,
    what: 'bytes in one source file',
    code: 'DSL0007',
    raise: 'split the program into modules joined by import',
  },
  nestingDepth: {
    max: 64,
    what: 'nested brackets, blocks and prefix operators',
    code: 'DSL0006',
    raise: 'name intermediate values; the limit keeps the recursive-descent parser off the end of the JS stack',
  },
  expressionDepth: {
    max: 1000,
    what: 'chained binary operators and suffixes in one expression',
    code: 'DSL0006',
    raise: 'split the expression over several assignments',
  },
  weightsFileBytes: {
    max: 2 * GiB,
    what: 'bytes in a weights or checkpoint file',
    code: 'WGT0013',
    raise: 'split the weights over several files (one model per file)',
  },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The message of a limit error: what was counted, how many, the limit and how to raise it. */
export function limitMessage(name: LimitName, actual: number | string): string {
  const l = LIMITS[name];
  return `${actual} ${l.what} is over the limit of ${l.max} (${name}); to go further, ${l.raise}`;
}
