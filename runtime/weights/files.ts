/**
 * Weights files on disk: safetensors read with the file's name in every diagnostic, and written whole.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { readSafetensors, writeSafetensors, type StoredTensor, type WriteOptions } from '../../compiler/core/safetensors.ts';
import type { TensorCollection, WeightStore } from '../../compiler/core/tensor.ts';

export function loadWeightsFile(path: string): Map<string, StoredTensor> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new DenocError({ code: 'WGT0001', severity: 'error', message: `${path}: cannot read: ${why}` });
  }
  return readSafetensors(bytes, path);
}

export function saveWeightsFile(path: string, tensors: TensorCollection | WeightStore, opts: WriteOptions = {}): void {
  writeFileSync(path, writeSafetensors(tensors, opts));
}
