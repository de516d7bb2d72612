/**
 * tfjs gradient kernels for the reference executor (tf.grad / tf.grads over denoc graphs).
 * tfjs-core registers them only from its ESM build (`dist/register_all_gradients.js`). Bundlers and
 * Vite (vitest) load that file as it is; plain Node (the CLI) cannot, because its imports have no file
 * extensions, so a resolution hook (tfjs-esm-hooks.mjs) adds them. The ESM copy registers into the
 * same global gradient registry and runs on the same global engine as the CommonJS build.
 */
import * as tf from '@tensorflow/tfjs-core';
import { register } from 'node:module';
import { fail } from '../core/diagnostics.ts';

const GRADIENTS = '@tensorflow/tfjs-core/dist/register_all_gradients.js';

/** Makes sure tfjs can differentiate (idempotent); fails with REF0104 when the kernels cannot load. */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient(tf.BatchMatMul)) return;
  // The hook goes first: a failed import stays failed in Node's module cache.
  register(new URL('./tfjs-esm-hooks.mjs', import.meta.url));
  let reason = '';
  try {
    await import(GRADIENTS);
  } catch (e) {
    reason = `: ${(e as Error).message}`;
  }
  if (!tf.getGradient(tf.BatchMatMul)) {
    fail(
      'REF0104',
      `tfjs gradient kernels could not be loaded (tfjs-core's register_all_gradients)${reason}; ` + 'training and Taylor importance need them',
    );
  }
}
