/**
 * Diagnostics shared by the front end, the passes and the targets.
 * Every error carries a stable code and, where known, the DSL span that caused it, so an error
 * raised deep in a pass still prints as `file:line:col: error CODE: message` with a code frame.
 * The codes are declared in ./diagnostic-codes/, one table per family.
 */
import type { DiagnosticCode } from './diagnostic-codes/index.ts';
import type { Span } from './ir/span.ts';

export type { DiagnosticCode } from './diagnostic-codes/index.ts';

export type Severity = 'error' | 'warning' | 'note';

export interface Diagnostic {
  /** a key of one of the tables in ./diagnostic-codes/ */
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span?: Span;
  /** e.g. "did you mean 'conv1'?" */
  readonly hint?: string;
}

/** An error that stops compilation; holds one or more diagnostics. */
export class DenocError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: Diagnostic | readonly Diagnostic[]) {
    const list = Array.isArray(diagnostics) ? diagnostics : [diagnostics as Diagnostic];
    super(list.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'DenocError';
    this.diagnostics = list;
  }
}

export function fail(code: DiagnosticCode, message: string, span?: Span, hint?: string): never {
  throw new DenocError({ code, severity: 'error', message, span, hint });
}

/** Source texts by file name, so diagnostics can print a code frame. */
const sources = new Map<string, string>();

export function registerSource(file: string, text: string): void {
  sources.set(file, text);
}

export function sourceText(file: string): string | undefined {
  return sources.get(file);
}

function codeFrame(span: Span): string {
  const text = sources.get(span.file);
  if (text === undefined) return '';
  const lines = text.split(/\r?\n/);
  const line = lines[span.line - 1];
  if (line === undefined) return '';
  const gutter = String(span.line).length;
  const width = span.endLine === span.line && span.endCol !== undefined ? Math.max(1, span.endCol - span.col) : 1;
  const caret = ' '.repeat(Math.max(0, span.col - 1)) + '^'.repeat(width);
  return `\n ${String(span.line)} | ${line}\n ${' '.repeat(gutter)} | ${caret}`;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.col}: ` : '';
  const frame = d.span ? codeFrame(d.span) : '';
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${where}${d.severity} ${d.code}: ${d.message}${frame}${hint}`;
}

/** Edit distance counting a swap of two neighbouring letters as one edit (`cni` → `cin`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate within a third of the name's length, if any. */
export function suggest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(1, Math.floor(name.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}
