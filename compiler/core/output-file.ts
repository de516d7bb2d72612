/**
 * Writing an output file safely: the folder is created, the bytes go to a temporary file in that
 * folder, and the temporary file is renamed over the target, so a reader never sees half a file and a
 * failed write leaves the old file in place. A failure (a regular file where a folder should be, no
 * permission, a full device, a folder where the file should be) is a coded error naming the path.
 * It lives in core so that every layer that writes (a target's artifacts, the runtime's weights and
 * checkpoints, the driver's reports, the CLI's PNGs) goes through it.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DenocError } from './diagnostics.ts';

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

function cannotWrite(path: string, e: unknown): DenocError {
  return new DenocError({ code: 'OUT0002', severity: 'error', message: `cannot write '${path}': ${reason(e)}` });
}

/** What is at `path` now, without following a final link; undefined when nothing is. */
function existing(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** The temporary file `writeFileAtomic(path)` writes before renaming it over `path`. */
export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/**
 * Writes `bytes` to `path` through a temporary file renamed into place; an OUT000x error on failure.
 * A device or pipe at `path` (`/dev/null`, `/dev/full`, a FIFO) is written in place: renaming over it
 * would replace the device node for a user allowed to, and a device has no half-written state to hide.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  ensureFolder(dirname(path));
  const there = existing(path);
  if (there && !there.isFile() && !there.isDirectory() && !there.isSymbolicLink()) {
    try {
      writeFileSync(path, bytes);
    } catch (e) {
      throw cannotWrite(path, e);
    }
    return;
  }
  const temp = temporaryPathFor(path);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw cannotWrite(path, e);
  }
}
