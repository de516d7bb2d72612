/**
 * Finds a Python interpreter that can `import jax`, for running StableHLO on real XLA (scripts/xla-check.py,
 * scripts/xla-train.py, and `denoc train --engine xla`). Looked for in order: $DENOC_JAX_PYTHON, the
 * project's `.venv-jax` (which `.ci/run` makes), `python3`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = (): string[] =>
  [process.env.DENOC_JAX_PYTHON ?? '', '.venv-jax/bin/python', 'python3'].filter((p) => p && (!p.includes('/') || existsSync(p)));

/** The first candidate whose `import jax` works, or undefined when none does. */
export function findJaxPython(): string | undefined {
  return CANDIDATES().find((python) => spawnSync(python, ['-c', 'import jax'], { stdio: 'ignore', timeout: 60_000 }).status === 0);
}
