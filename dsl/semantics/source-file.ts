/**
 * Reads a DSL source file for the loader and `compileFile`, checking before reading: only a regular
 * file is read (a directory or a device such as /dev/zero is not), and only up to
 * LIMITS.sourceBytes, so that no input file can make the front end allocate without bound.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import type { Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { LIMITS, limitMessage } from '../../compiler/core/limits.ts';
import { DSL, dslError } from '../diagnostic-codes.ts';

/** The file's text; undefined when there is no regular file to read; a diagnostic when it is too large. */
export function readSourceFile(path: string, span?: Span): string | Diagnostic | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return undefined;
    if (stat.size > LIMITS.sourceBytes.max) {
      return dslError(DSL.SourceTooLarge, `'${path}' is too large: ${limitMessage('sourceBytes', stat.size)}`, span);
    }
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}
