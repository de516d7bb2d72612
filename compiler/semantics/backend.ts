/**
 * Chooses the tfjs-core backend the reference executor runs on: `cpu` (plain JS, the default and
 * the numerics oracle) or `wasm` (XNNPACK/SIMD, faster on big convs). In Node the wasm binaries are
 * read from node_modules/@tensorflow/tfjs-backend-wasm/dist/ as a file path (setWasmPaths with a
 * trailing slash); its threads do not work in Node, so it runs single-threaded there.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fail } from '../core/diagnostics.ts';

export type ReferenceBackend = 'cpu' | 'wasm';
export const REFERENCE_BACKENDS: readonly ReferenceBackend[] = ['cpu', 'wasm'];

let wasmRegistered = false;

async function registerWasm(): Promise<void> {
  if (wasmRegistered) return;
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const require = createRequire(import.meta.url);
  const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
  wasm.setWasmPaths(dist);
  wasmRegistered = true;
}

/** Makes `name` the active tfjs backend (initializing it on first use). */
export async function useBackend(name: ReferenceBackend = 'cpu'): Promise<void> {
  if (!REFERENCE_BACKENDS.includes(name)) {
    fail('REF0101', `unknown reference backend '${String(name)}' (backends: ${REFERENCE_BACKENDS.join(', ')})`);
  }
  if (name === 'wasm') await registerWasm();
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) fail('REF0102', `tfjs backend '${name}' failed to initialize`);
  }
  quietCpuBanner();
}

/**
 * The cpu backend prints a banner recommending tfjs-node on its first write in Node; denoc picks
 * its backends deliberately, so the banner is only noise in CLI output.
 */
function quietCpuBanner(): void {
  const backend = tf.engine().backendName === 'cpu' ? (tf.backend() as unknown as { firstUse?: boolean }) : undefined;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
}

/**
 * Runs `fn` on the cpu backend synchronously (compile-time evaluation in passes, which are
 * synchronous) and switches back. tfjs' setBackend does no asynchronous work for a backend that is
 * already initialized or whose factory is synchronous, as cpu's is, so the switch takes effect
 * before the returned promise is looked at.
 */
export function withCpuBackend<T>(fn: () => T): T {
  const previous = tf.engine().backendName;
  if (previous === 'cpu') return fn();
  void tf.setBackend('cpu');
  if (tf.getBackend() !== 'cpu') fail('REF0103', 'could not switch tfjs to the cpu backend synchronously');
  quietCpuBanner();
  try {
    return fn();
  } finally {
    if (previous) void tf.setBackend(previous);
  }
}
