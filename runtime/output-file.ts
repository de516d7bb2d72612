/**
 * Writing an output file safely: the folder is created, the bytes go to a temporary file in that
 * folder, and the temporary file is renamed over the target, so a reader never sees half a file and a
 * failed write leaves the old file in place. A failure (a regular file where a folder should be, no
 * permission, a full device, a folder where the file should be) is a coded error naming the path.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DenocError } from '../compiler/core/diagnostics.ts';

/** Why a file operation failed, in words a user can act on, from its errno code. */
const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a regular file, not a folder',
  EISDIR: 'a folder is in the way of the file',
  EEXIST: 'a file is in the way of the folder',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files',
};

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code && REASONS[code] ? `${REASONS[code]} (${code})` : (code ?? (e as Error).message);
}

/** Creates `folder` and its parents; an OUT0001 error when that is impossible. */
export function ensureFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw new DenocError({ code: 'OUT0001', severity: 'error', message: `cannot create the folder '${folder}': ${reason(e)}` });
  }
}

/** Writes `bytes` to `path` through a temporary file renamed into place; an OUT000x error on failure. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  ensureFolder(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new DenocError({ code: 'OUT0002', severity: 'error', message: `cannot write '${path}': ${reason(e)}` });
  }
}
