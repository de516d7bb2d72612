// The training target (runtime/train/loss.ts, training-spec.ts): x_t = α·x0 + σ·ε and the ε / x0 / v
// targets on hand values, and the schedule mlp2d is trained with being the one its DDIM sampler inverts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSampler } from '../../compiler/compile.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { topoOrder } from '../../compiler/core/ir/node.ts';
import { linear } from '../../compiler/schedules/index.ts';
import { compileFile } from '../../dsl/index.ts';
import { noisyBatch } from '../../runtime/train/loss.ts';
import { specOfFile } from './spec-of-file.ts';

const levels = { t: Float32Array.of(10, 500), alpha: Float64Array.of(0.6, 0.8), sigma: Float64Array.of(0.8, 0.6) };
const x0 = Float32Array.of(1, 2, 3, 4);
const eps = Float32Array.of(0.5, -1, 2, 0);

const close = (values: Float32Array, expected: number[]) => expect(Array.from(values)).toEqual(expected.map((v) => expect.closeTo(v, 6)));

describe('noisy batch', () => {
  it('builds x_t = alpha x0 + sigma eps per item', () => {
    const b = noisyBatch(x0, eps, levels, 'eps');
    close(b.xt, [0.6 * 1 + 0.8 * 0.5, 0.6 * 2 - 0.8, 0.8 * 3 + 0.6 * 2, 0.8 * 4]);
    expect(Array.from(b.t)).toEqual([10, 500]);
  });

  it('targets eps, x0 or v = alpha eps - sigma x0', () => {
    close(noisyBatch(x0, eps, levels, 'eps').target, [0.5, -1, 2, 0]);
    close(noisyBatch(x0, eps, levels, 'x0').target, [1, 2, 3, 4]);
    close(noisyBatch(x0, eps, levels, 'v').target, [0.6 * 0.5 - 0.8, -0.6 - 1.6, 1.6 - 1.8, -0.6 * 4]);
  });
});

const TINY = (samplers: string) => `import "std/nn"
import "std/samplers"
model Tiny {
  fc = Linear(2, 2)
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {
    return fc(x)
  }
}
${samplers}
`;

function tinyFile(samplers: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'denoc-spec-')), 'tiny.dn');
  writeFileSync(file, TINY(samplers));
  return file;
}

describe('training spec', () => {
  it('trains mlp2d with eps on the linear schedule, timesteps uniform in 0..999', () => {
    const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
    expect([spec.prediction, spec.schedule, spec.T]).toEqual(['eps', 'linear', 1000]);
    const l = spec.levels([1e-9, 0.5, 0.99999]);
    expect(Array.from(l.t)).toEqual([0, 500, 999]);
    expect(l.alpha[2]).toBe(linear().alpha[999]);
    expect(l.sigma[1]).toBe(linear().sigma[500]);
  });

  it("uses the alphas of mlp2d's compiled DDIM sampler at its timesteps", () => {
    const sampler = compileSampler(compileFile('examples/mlp2d.dn').samplers.find((s) => s.name === 'ddim')!.graph);
    const tables = topoOrder(sampler)
      .flatMap((n) => n.regions.flatMap((r) => topoOrder(r)))
      .filter((n) => n.op === 'constant')
      .map((n) => Array.from(n.attrs.data as Float32Array));
    const times = tables.find((t) => t[0] === 999 && t[1] === 979)!;
    const spec = specOfFile('examples/mlp2d.dn', 'MLP2D');
    const alphas = spec.levels(times.map((t) => (t + 0.5) / 1000)).alpha;
    // the sampler's x0 = (x - sigma eps)/alpha divides by this table: alpha at each visited timestep
    expect(tables).toContainEqual(Array.from(Float32Array.from(alphas)));
  });

  it("follows a sampler's prediction option and rejects samplers that disagree", () => {
    const file = tinyFile('sampler a = ddim(Tiny, steps: 10)\nsampler b = ddim(Tiny, steps: 10, prediction: "v", schedule: "cosine")');
    expect(specOfFile(file, 'Tiny', 'b')).toMatchObject({ prediction: 'v', schedule: 'cosine' });
    expect(specOfFile(file, 'Tiny', 'a')).toMatchObject({ prediction: 'eps', schedule: 'linear' });
    expect(() => specOfFile(file, 'Tiny')).toThrow(DenocError);
    expect(() => specOfFile(file, 'Tiny')).toThrow(/TRN0402.*'a'.*'b'/s);
  });

  it('reads the continuous cosine schedule as time in [1e-3, 0.9946]', () => {
    const spec = specOfFile(tinyFile('sampler a = dpmpp_2m(Tiny, steps: 10, schedule: "cosine_continuous", prediction: "v")'), 'Tiny');
    const l = spec.levels([0, 1]);
    expect(l.t[0]).toBeCloseTo(1e-3, 6);
    expect(l.t[1]).toBeCloseTo(0.9946, 6);
    expect(l.alpha[0] ** 2 + l.sigma[0] ** 2).toBeCloseTo(1, 12);
    expect(l.alpha[1]).toBeLessThan(0.01);
  });
});
