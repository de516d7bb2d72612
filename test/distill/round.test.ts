// Distillation rounds (runtime/distill/round.ts, distill.ts) on mlp2d with the shipped moons teacher: a
// short seeded round lowers the distillation loss on a fixed batch, and a run killed mid-round resumes
// from its checkpoints to the same bits as an uninterrupted one; overwriting and bad options are refused.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distill, type DistillOptions } from '../../runtime/distill/distill.ts';
import { lossAndGrads, roundBatch, runRound, tapeEngine } from '../../runtime/distill/round.ts';
import { data, mlp2dRound, model, spec, teacher } from './mlp2d-round.ts';

const base: DistillOptions = { model, spec, data, teacher, from: 8, to: 2, stepsPerRound: 6, batch: 64, lr: 1e-4, seed: 3 };
const tmp = () => join(mkdtempSync(join(tmpdir(), 'denoc-distill-')), 'ckpt');

describe('distillation rounds', () => {
  it('lowers the distillation loss of an 8 -> 4 round on a fixed batch', async () => {
    const { fn, params, start, o } = await mlp2dRound(128);
    const oracle = tapeEngine(fn, params, [2]).teacher(start);
    const fixed = await roundBatch({ ...o, batch: 512, streamOffset: 10_000 }, oracle.forward, 0);
    oracle.dispose();
    const before = lossAndGrads(fn, params, start, fixed, [2])[0];
    const after = lossAndGrads(fn, params, (await runRound(o)).weights, fixed, [2])[0];
    // the student starts as the teacher, whose single steps miss the two-step targets
    expect(before).toBeGreaterThan(0);
    expect(after).toBeLessThan(0.7 * before);
  });

  it('resumes a run killed in its second round to the same bits as an uninterrupted run', async () => {
    const whole = await distill(base);
    const dir = tmp();
    const kill = (studentSteps: number, done: number) => {
      if (studentSteps === 2 && done === 5) throw new Error('killed');
    };
    await expect(distill({ ...base, checkpoint: { dir, every: 4, resume: false }, onStep: kill })).rejects.toThrow('killed');
    const starts: number[] = [];
    const resumed = await distill({ ...base, checkpoint: { dir, every: 4, resume: true }, onRound: (_, __, s) => starts.push(s) });
    expect(starts).toEqual([6, 4]);
    expect(resumed.rounds.map((r) => r.losses)).toEqual(whole.rounds.map((r) => r.losses));
    for (const [path, t] of whole.weights) expect(resumed.weights.get(path)!.data, path).toEqual(t.data);
    expect(whole.weights.get('out.weight')!.data).not.toEqual(teacher.get('out.weight'));
  });

  it('refuses to overwrite checkpoints without resume, to resume another run, and bad step counts', async () => {
    const dir = tmp();
    const one = { ...base, from: 4, stepsPerRound: 1 };
    await distill({ ...one, checkpoint: { dir, every: 1, resume: false } });
    await expect(distill({ ...one, checkpoint: { dir, every: 1, resume: false } })).rejects.toThrow(/DST0401.*round-2/);
    await expect(distill({ ...one, lr: 1e-3, checkpoint: { dir, every: 1, resume: true } })).rejects.toThrow(/TRN0502.*lr/);
    await expect(distill({ ...base, from: 6 })).rejects.toThrow(/DST0201.*--from must be a power of two/);
    await expect(distill({ ...base, to: 8 })).rejects.toThrow(/DST0201.*--to \(8\) must be fewer steps than --from \(8\)/);
  });
});
