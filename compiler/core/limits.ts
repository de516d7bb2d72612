/**
 * The one table of resource limits: every size that input can choose (file bytes, nesting depth,
 * steps, batch, tensor elements, comprehension lengths) is checked against an entry here before
 * anything of that size is allocated or recursed into. docs/reliability.md lists each entry with the
 * code it raises and how to raise it; test/core/limits.test.ts keeps the two in step.
 */
import type { DiagnosticCode } from './diagnostic-codes/index.ts';
import { DenocError } from './diagnostics.ts';
import type { Span } from './ir/span.ts';

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
  checkpointStateBytes: {
    max: MiB,
    what: "bytes in a checkpoint's state.json",
    code: 'TRN0503',
    raise: 'state.json holds a few names and the run config, so a larger one is not a denoc checkpoint',
  },
  steps: {
    max: 100_000,
    what: 'steps (sampling steps, training timesteps T, or iterations of a sampling loop)',
    code: 'SCH0004',
    raise: 'raise LIMITS.steps in compiler/core/limits.ts; every step is a row of each coefficient table',
  },
  rangeLength: {
    max: 100_000,
    what: 'items in a range or comprehension',
    code: 'DSL0008',
    raise: 'raise LIMITS.rangeLength in compiler/core/limits.ts; the items are made one by one at compile time',
  },
  tensorElements: {
    max: 2 ** 28,
    what: 'elements in one tensor',
    code: 'IR0005',
    raise: 'use a smaller shape or batch; 2^28 f32 elements are 1 GiB, past what one WebGPU buffer or tfjs tensor holds',
  },
  parameterBytes: {
    max: 2 * GiB,
    what: 'bytes of parameters in one model',
    code: 'DSL0009',
    raise: 'use a smaller model; its weights must fit in one weights file (weightsFileBytes)',
  },
  batch: {
    max: 2 ** 20,
    what: 'samples in one batch',
    code: 'CLI0023',
    raise: 'run several batches with different --seed values',
  },
} as const satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** The message of a limit error: what was counted, how many, the limit and how to raise it. */
export function limitMessage(name: LimitName, actual: number | string): string {
  const l = LIMITS[name];
  return `${actual} ${l.what} is over the limit of ${l.max} (${name}); to go further, ${l.raise}`;
}

/** A `DenocError` when `actual` is over limit `name`, raised before anything of that size is made. */
export function checkLimit(name: LimitName, actual: number, subject?: string, span?: Span): void {
  if (!(actual > LIMITS[name].max)) return;
  const message = subject ? `${subject}: ${limitMessage(name, actual)}` : limitMessage(name, actual);
  throw new DenocError({ code: LIMITS[name].code, severity: 'error', message, span });
}
