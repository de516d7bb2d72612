/** Parsing of numeric CLI options with readable errors. */
import { fail } from '../compiler/core/diagnostics.ts';
import { checkLimit, type LimitName } from '../compiler/core/limits.ts';

/** An integer option at or above `min`; with `limit`, also within that entry of LIMITS (compiler/core/limits.ts). */
export function parseIntOption(flag: string, value: string, min: number, limit?: LimitName): number {
  // Number('') is 0: an empty value must not pass as zero.
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (!Number.isInteger(n) || n < min) fail('CLI0020', `${flag} must be an integer >= ${min}, got '${value}'`);
  if (limit) checkLimit(limit, n, flag);
  return n;
}

export function parseClassList(value: string | undefined, batch: number, numClasses = 10): Int32Array {
  const texts = value === undefined ? [...Array(numClasses).keys()].map(String) : value.split(',');
  // Number('') is 0: an empty label must not pass as class 0
  const labels = texts.map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  labels.forEach((l, i) => {
    if (!Number.isInteger(l) || l < 0 || l >= numClasses) fail('CLI0021', `--classes: '${texts[i]}' is not a class in 0..${numClasses - 1}`);
  });
  return Int32Array.from({ length: batch }, (_, i) => labels[i % labels.length]);
}
