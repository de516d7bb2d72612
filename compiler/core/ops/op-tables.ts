/**
 * Per-op tables merged from their family files (reference kernels, each target's lowerings): one map
 * keyed by op name, where a name given by two families, or a name that is no registered op, is a
 * programming error caught when the table is built.
 */
import './index.ts';
import { hasOp } from './registry.ts';

/** `families` maps a family name (the file, e.g. `conv`) to its table; `what` names the table in errors. */
export function mergeOpTables<T>(families: Readonly<Record<string, Readonly<Record<string, T>>>>, what: string): ReadonlyMap<string, T> {
  const merged = new Map<string, T>();
  for (const [family, table] of Object.entries(families)) {
    for (const [op, entry] of Object.entries(table)) {
      if (merged.has(op)) throw new Error(`${what} of '${op}' is defined twice (again in ${family})`);
      if (!hasOp(op)) throw new Error(`${what} '${op}' (${family}) names no registered op`);
      merged.set(op, entry);
    }
  }
  return merged;
}
