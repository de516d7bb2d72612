/**
 * Weights files on disk: safetensors read with the file's name in every diagnostic, and written whole.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { readSafetensors, writeSafetensors, type WriteOptions } from '../../compiler/core/safetensors.ts';
import type { Tensor, TensorCollection } from '../../compiler/core/tensor.ts';

export function loadWeightsFile(path: string): Map<string, Tensor<Float32Array>> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new DenocError({ code: 'WGT0001', severity: 'error', message: `${path}: cannot read: ${why}` });
  }
  return readSafetensors(bytes, path);
}

export function saveWeightsFile(path: string, tensors: TensorCollection, opts: WriteOptions = {}): void {
  writeFileSync(path, writeSafetensors(tensors, opts));
}
