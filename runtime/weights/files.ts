/**
 * Weights files on disk: safetensors read with the file's name in every diagnostic, and written whole.
 * Reading checks before allocating (a regular file, at most LIMITS.weightsFileBytes, so a device such
 * as /dev/zero or a huge file is refused unread) and checks what enters: a tensor holding NaN or
 * ±Inf is refused with the names of the tensors that hold them, or, where the user opts in, loaded with
 * a warning that counts them.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { LIMITS, limitMessage } from '../../compiler/core/limits.ts';
import { readSafetensors, writeSafetensors, type WriteOptions } from '../../compiler/core/safetensors.ts';
import { firstNonFinite, type Tensor, type TensorCollection } from '../../compiler/core/tensor.ts';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';

function cannotRead(path: string, why: string): DenocError {
  return new DenocError({ code: 'WGT0001', severity: 'error', message: `${path}: cannot read: ${why}` });
}

/** The file's bytes, after checking that it is a regular file within the size limit. */
function readBoundedFile(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw cannotRead(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw cannotRead(path, 'not a regular file');
    if (stat.size > LIMITS.weightsFileBytes.max) {
      throw new DenocError({ code: 'WGT0013', severity: 'error', message: `${path}: ${limitMessage('weightsFileBytes', stat.size)}` });
    }
    return readFileSync(fd);
  } catch (e) {
    if (e instanceof DenocError) throw e;
    throw cannotRead(path, (e as NodeJS.ErrnoException).code ?? (e as Error).message);
  } finally {
    closeSync(fd);
  }
}

/** Names of the tensors holding a NaN or an infinity, in file order. */
export function nonFiniteTensors(tensors: ReadonlyMap<string, Tensor<Float32Array>>): string[] {
  const names: string[] = [];
  for (const [name, t] of tensors) if (firstNonFinite(t.data) >= 0) names.push(name);
  return names;
}

/** `name (n of size: a NaN, b ±Inf)` for a tensor holding non-finite values. */
function countNonFinite(name: string, data: Float32Array): string {
  let nan = 0;
  let inf = 0;
  for (const x of data) {
    if (Number.isNaN(x)) nan++;
    else if (!Number.isFinite(x)) inf++;
  }
  return `${name} (${nan + inf} of ${data.length}: ${nan} NaN, ${inf} ±Inf)`;
}

const listed = (items: readonly string[]): string =>
  items.length > 8 ? `${items.slice(0, 8).join(', ')} and ${items.length - 8} more` : items.join(', ');

export interface LoadWeightsOptions {
  /**
   * 'error' (the default): NaN or ±Inf in any tensor is WGT0014. 'warn': the tensors are loaded and
   * `warn` receives a WGT0016 warning listing them with their counts (`--allow-nonfinite-weights`).
   */
  readonly nonFinite?: 'error' | 'warn';
  readonly warn?: (d: Diagnostic) => void;
}

export function loadWeightsFile(path: string, opts: LoadWeightsOptions = {}): Map<string, Tensor<Float32Array>> {
  const tensors = readSafetensors(readBoundedFile(path), path);
  const bad = nonFiniteTensors(tensors);
  if (bad.length && opts.nonFinite === 'warn') {
    const counts = bad.map((name) => countNonFinite(name, tensors.get(name)!.data));
    opts.warn?.({
      code: 'WGT0016',
      severity: 'warning',
      message: `${path}: ${bad.length} tensor(s) hold NaN or infinite values, loaded as asked: ${listed(counts)}`,
    });
  } else if (bad.length) {
    throw new DenocError({
      code: 'WGT0014',
      severity: 'error',
      message: `${path}: ${bad.length} tensor(s) hold NaN or infinite values: ${listed(bad)}; the weights are corrupt or training diverged`,
      hint: 'to load them anyway (and see which values), pass --allow-nonfinite-weights',
    });
  }
  return tensors;
}

export function saveWeightsFile(path: string, tensors: TensorCollection, opts: WriteOptions = {}): void {
  writeFileAtomic(path, writeSafetensors(tensors, opts));
}
