// Shared settings of the property-based fuzzers in test/fuzz/: how many inputs each property tries and
// from which seed. `npm test` runs the quick counts; `npm run fuzz` sets FUZZ_RUNS (and FUZZ_SEED to
// resume or vary a run) and each file prints what it tried and what the outcomes were.
import type fc from 'fast-check';

/** Runs of one property: FUZZ_RUNS when set (the long run), else the quick count given. */
export function fuzzRuns(quick: number): number {
  const env = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(env) && env > 0 ? env : quick;
}

/** The seed of every property: FUZZ_SEED when set, else a fixed one so `npm test` is repeatable. */
export const FUZZ_SEED = Number.isInteger(Number(process.env.FUZZ_SEED)) && process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : 17;

/** fast-check parameters for a property of `quick` runs (FUZZ_RUNS in the long run). */
export function fuzzParams(quick: number): fc.Parameters<unknown> {
  return { numRuns: fuzzRuns(quick), seed: FUZZ_SEED, endOnFailure: true };
}

/** Counts of outcomes by kind (success, or a diagnostic code), printed at the end of a fuzz file. */
export class OutcomeTally {
  private readonly counts = new Map<string, number>();
  constructor(private readonly name: string) {}
  add(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }
  report(): string {
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const parts = [...this.counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
    return `fuzz ${this.name}: ${total} inputs (seed ${FUZZ_SEED}): ${parts.join(', ')}`;
  }
}

/**
 * Lets the event loop turn between inputs: a long run of synchronous properties would otherwise starve
 * vitest's worker channel for minutes, which vitest reports as an error of its own.
 */
export function yieldToRunner(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A JS stack frame as V8 prints it: the mark of an error that escaped denoc's reporting. */
export const STACK_FRAME = /\n\s+at .+[:(].*\d+:\d+\)?/;

/** The code every uncaught internal error of the front end is reported under. */
export const INTERNAL_CODE = 'DSL0999';
