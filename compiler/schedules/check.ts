/**
 * Argument checks for the compile-time schedule math.
 * These tables are built from user-written DSL arguments (`steps: 0`, `rho: -1`), so every bad value
 * must stop compilation with a stable code and a message naming the argument, never a NaN table.
 *
 * Codes:
 *   SCH0001  an integer argument (T, steps, order, timestep) is out of range or not an integer
 *   SCH0002  a real argument (beta, sigma, eta, rho, t) is out of range or not finite
 *   SCH0003  a table has the wrong length or is not ordered as the solver needs
 *   SCH0004  more steps or timesteps than LIMITS.steps (compiler/core/limits.ts)
 */
import { fail } from '../core/diagnostics.ts';
import { checkLimit } from '../core/limits.ts';

export const SCHEDULE_CODES = {
  badInteger: 'SCH0001',
  badReal: 'SCH0002',
  badTable: 'SCH0003',
} as const;

/** `value` must be an integer in [min, max]. */
export function requireInt(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    fail(SCHEDULE_CODES.badInteger, `${what} must be ${range}, got ${value}`);
  }
}

/** A count of steps or timesteps (T, steps): within LIMITS.steps, checked before a table of that length is made. */
export function requireSteps(what: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  checkLimit('steps', value, what);
  requireInt(what, value, min, max);
}

/** `value` must be a finite real in the interval (max may be Infinity); `open` excludes the named ends. */
export function requireReal(what: string, value: number, min: number, max = Infinity, open: { min?: boolean; max?: boolean } = {}): void {
  const belowMin = open.min ? value <= min : value < min;
  const aboveMax = open.max ? value >= max : value > max;
  if (!Number.isFinite(value) || belowMin || aboveMax) {
    const lo = `${open.min ? '(' : '['}${min}`;
    const hi = max === Infinity ? 'Infinity)' : `${max}${open.max ? ')' : ']'}`;
    fail(SCHEDULE_CODES.badReal, `${what} must be a finite number in ${lo}, ${hi}, got ${value}`);
  }
}

/** `value` must not be NaN; ±Infinity is allowed (log-SNR at the ends of a schedule). */
export function requireNumber(what: string, value: number): void {
  if (Number.isNaN(value)) fail(SCHEDULE_CODES.badReal, `${what} must be a number, got NaN`);
}

/** A table problem: wrong length, wrong order, NaN entries. */
export function badTable(message: string): never {
  fail(SCHEDULE_CODES.badTable, message);
}

/**
 * VE sigmas for a sampler: at least two entries, strictly decreasing, all > 0 except a final 0.
 * `infiniteStart` admits Infinity as the first entry (a zero-terminal-SNR start), which only the
 * data-prediction solvers can take; the VE solvers divide by sigma.
 */
export function requireSigmaTable(what: string, sigmas: readonly number[], infiniteStart = false): void {
  if (sigmas.length < 2) badTable(`${what} needs at least 2 sigmas (start and end), got ${sigmas.length}`);
  for (let i = 0; i < sigmas.length; i++) {
    const s = sigmas[i];
    if (Number.isNaN(s) || s < 0 || (s === 0 && i !== sigmas.length - 1)) {
      badTable(`${what}[${i}] = ${s}: sigmas must be > 0, with 0 allowed only as the last entry`);
    }
    if (s === Infinity && !(infiniteStart && i === 0)) {
      badTable(`${what}[${i}] is Infinity: ${infiniteStart ? 'only the first sigma may be' : 'this solver needs finite sigmas'}`);
    }
    if (i > 0 && !(s < sigmas[i - 1])) {
      badTable(`${what} must be strictly decreasing, but ${what}[${i}] = ${s} >= ${what}[${i - 1}] = ${sigmas[i - 1]}`);
    }
  }
}
