/**
 * Prints vitest's outcome as one plain closing line, `N passed, N failed[, N skipped]`, which CI reads.
 */
import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest';

function countTests(tasks: readonly RunnerTask[], acc: Record<'passed' | 'failed' | 'skipped', number>): void {
  for (const t of tasks) {
    if (t.type === 'suite') {
      countTests(t.tasks, acc);
      continue;
    }
    const state = t.result?.state;
    if (state === 'pass') acc.passed++;
    else if (state === 'fail') acc.failed++;
    else acc.skipped++;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const acc = { passed: 0, failed: 0, skipped: 0 };
    for (const f of files) {
      if (f.result?.state === 'fail' && f.tasks.length === 0) acc.failed++;
      countTests(f.tasks, acc);
    }
    acc.failed += errors.length;
    const skipped = acc.skipped ? `, ${acc.skipped} skipped` : '';
    process.stdout.write(`\n${acc.passed} passed, ${acc.failed} failed${skipped}\n`);
  }
}
