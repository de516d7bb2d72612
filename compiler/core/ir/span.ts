/** Source positions carried from the DSL through every IR node to late diagnostics. */

export interface Span {
  readonly file: string;
  /** 1-based line and column of the first character. */
  readonly line: number;
  readonly col: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

export function formatSpan(span: Span | undefined): string {
  return span ? `${span.file}:${span.line}:${span.col}` : '<unknown>';
}
