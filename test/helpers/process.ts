// Child processes for tests, run asynchronously: a synchronous spawn blocks the test worker's event loop
// for the child's whole life, and vitest's worker RPC times out after 60 s without a turn of it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface ProcessResult {
  code: number;
  out: string;
  err: string;
}

export const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `command args` in the repository root; resolves with exit code and output, never rejects. */
export function runProcess(command: string, args: readonly string[], timeoutMs = 300_000): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, out: stdout, err: stderr });
    });
  });
}

/** The `denoc` CLI as a user runs it. */
export function denoc(...args: string[]): Promise<ProcessResult> {
  return runProcess(process.execPath, [join(ROOT, 'cli', 'denoc.mjs'), ...args]);
}
