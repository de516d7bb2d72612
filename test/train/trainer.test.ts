// The training loop (runtime/train/trainer.ts): it lowers mlp2d's loss on moons, and a run stopped at a
// checkpoint and resumed ends with exactly the bits of an uninterrupted run; a checkpoint of another
// run or an unrequested resume is refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../dsl/index.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { trainDenoiser, type TrainOptions } from '../../runtime/train/trainer.ts';
import { specOfFile } from './spec-of-file.ts';

const model = compileFile('examples/mlp2d.dn').models[0];
const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
const base: TrainOptions = { model, spec, data: openDataSource('moons'), steps: 100, batch: 128, lr: 2e-3, seed: 5, emaDecay: 0.99 };
const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const tmp = () => join(mkdtempSync(join(tmpdir(), 'denoc-train-')), 'ckpt');

describe('trainDenoiser', () => {
  it('lowers the loss of mlp2d on moons over 100 steps', async () => {
    const r = await trainDenoiser(base);
    expect(r.losses).toHaveLength(100);
    // the untrained model's loss is ~1 (it predicts noise of the wrong scale); a trained one is ~0.3
    expect(mean(r.losses.slice(-20))).toBeLessThan(0.7 * mean(r.losses.slice(0, 20)));
    expect(r.weights.get('out.weight')!.shape).toEqual([128, 2]);
  });

  it('resumes from a checkpoint to the same bits as an uninterrupted run', async () => {
    const opts = { ...base, steps: 30 };
    const whole = await trainDenoiser(opts);
    const dir = tmp();
    const first = await trainDenoiser({ ...opts, steps: 20, checkpoint: { dir, every: 10, resume: false } });
    expect(first.losses).toEqual(whole.losses.slice(0, 20));
    const rest = await trainDenoiser({ ...opts, checkpoint: { dir, every: 10, resume: true } });
    expect(rest.startStep).toBe(20);
    expect(rest.losses).toEqual(whole.losses);
    for (const [path, t] of whole.weights) expect(rest.weights.get(path)!.data, path).toEqual(t.data);
  });

  it('refuses to overwrite a checkpoint without resume, and to resume another run', async () => {
    const dir = tmp();
    await trainDenoiser({ ...base, steps: 2, checkpoint: { dir, every: 1, resume: false } });
    await expect(trainDenoiser({ ...base, steps: 4, checkpoint: { dir, every: 1, resume: false } })).rejects.toThrow(/TRN0604.*step 2/);
    await expect(trainDenoiser({ ...base, steps: 4, lr: 1e-4, checkpoint: { dir, every: 1, resume: true } })).rejects.toThrow(/TRN0502.*lr/);
  });

  it('refuses data whose items do not fit the model', async () => {
    const images = {
      name: 'images',
      itemShape: [1, 28, 28],
      batch: () => ({ x: new Float32Array(784) }),
      heldOut: () => ({ x: new Float32Array(784) }),
    };
    await expect(trainDenoiser({ ...base, data: images })).rejects.toThrow(/TRN0606.*x: f32\[B,2\].*\[1, 28, 28\]/);
  });

  it('rejects bad options with a clear message', async () => {
    await expect(trainDenoiser({ ...base, batch: 0 })).rejects.toThrow(/TRN0605.*batch/);
    await expect(trainDenoiser({ ...base, lr: -1 })).rejects.toThrow(/TRN0605.*learning rate/);
  });
});
