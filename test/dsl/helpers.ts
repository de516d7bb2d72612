/**
 * Shared helpers for the DSL tests: compile or check source text with in-memory imports, and
 * format diagnostics the way the CLI prints them.
 */
import { formatDiagnostic, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { checkSource, compileSource, type Program } from '../../dsl/index.ts';

export function options(files: Readonly<Record<string, string>> = {}) {
  return { readFile: (path: string) => files[path] };
}

export function diagnose(src: string, files: Readonly<Record<string, string>> = {}): Diagnostic[] {
  return checkSource(src, 'main.dn', options(files));
}

export function compile(src: string, files: Readonly<Record<string, string>> = {}): Program {
  return compileSource(src, 'main.dn', options(files));
}

export function errors(src: string, files: Readonly<Record<string, string>> = {}): Diagnostic[] {
  return diagnose(src, files).filter((d) => d.severity === 'error');
}

export function formatAll(diags: readonly Diagnostic[]): string {
  return diags.map(formatDiagnostic).join('\n');
}
