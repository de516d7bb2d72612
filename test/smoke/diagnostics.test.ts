// Diagnostics formatting and "did you mean" suggestions.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, registerSource, suggest } from '../../compiler/core/diagnostics.ts';

describe('suggest', () => {
  it('finds a near miss, including swapped neighbours', () => {
    expect(suggest('conv', ['conv1', 'norm1'])).toBe('conv1');
    expect(suggest('cni', ['cin', 'cout'])).toBe('cin');
  });
  it('stays silent when nothing is close', () => {
    expect(suggest('attention', ['x', 'y'])).toBeUndefined();
  });
});

describe('formatDiagnostic', () => {
  it('prints file:line:col, the code, a code frame and a caret under the span', () => {
    registerSource('a.dn', 'line one\nx = foo + 1\n');
    const text = formatDiagnostic({
      code: 'DSL0001',
      severity: 'error',
      message: 'unknown name',
      span: { file: 'a.dn', line: 2, col: 5, endLine: 2, endCol: 8 },
    });
    expect(text.split('\n')).toEqual(['a.dn:2:5: error DSL0001: unknown name', ' 2 | x = foo + 1', '   |     ^^^']);
  });
});
