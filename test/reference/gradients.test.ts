// tfjs gradient kernels outside Vite: a plain Node process (as the CLI runs) loads them through
// compiler/semantics/gradients.ts and differentiates a matmul and a conv, checked against the closed
// forms d/dW Σ(XW)² = 2Xᵀ(XW) and d/dW Σ conv(ones, W) = (number of windows each tap sees).
import { describe, expect, it } from 'vitest';
import { runProcess } from '../helpers/process.ts';

const SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from './compiler/semantics/gradients.ts';
const before = Boolean(tf.getGradient(tf.BatchMatMul));
await ensureGradients();
await tf.setBackend('cpu');
const x = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
const w = tf.tensor2d([[0.5, -1], [2, 0.25]]);
const dMatmul = tf.grad((v) => tf.sum(tf.square(tf.matMul(x, v))))(w).arraySync();
const k = tf.tensor4d([1, 2, 3, 4], [2, 2, 1, 1]);
const dConv = tf.grad((v) => tf.sum(tf.conv2d(tf.ones([1, 3, 3, 1]), v, 1, 'valid')))(k).dataSync();
console.log(JSON.stringify({ before, dMatmul, dConv: Array.from(dConv) }));
`;

describe('ensureGradients in plain Node', () => {
  it('loads the gradient kernels and differentiates matmul and conv2d', async () => {
    const r = await runProcess(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT]);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(out.before).toBe(false);
    // 2·Xᵀ(XW): XW = [[4.5,-0.5],[9.5,-2],[14.5,-3.5]]
    expect(out.dMatmul).toEqual([
      [2 * (4.5 + 28.5 + 72.5), 2 * (-0.5 - 6 - 17.5)],
      [2 * (9 + 38 + 87), 2 * (-1 - 8 - 21)],
    ]);
    expect(out.dConv).toEqual([4, 4, 4, 4]);
  });
});
