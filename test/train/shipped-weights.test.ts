// The trained weights shipped in examples/weights: they bind to mlp2d's parameters, and the DDIM sampler's
// samples with them are near the data (sliced Wasserstein-1) where seeded random weights' are far off.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../dsl/index.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { slicedWasserstein } from '../../runtime/train/metrics.ts';
import { measureQuality } from '../../api/quality.ts';
import { normals } from '../../runtime/train/random.ts';
import { bindWeights } from '../../runtime/weights/bind.ts';
import { loadWeightsFile } from '../../runtime/weights/files.ts';

const FILE = 'examples/weights/mlp2d-moons.safetensors';

describe('examples/weights/mlp2d-moons.safetensors', () => {
  it('is small and binds to every parameter of MLP2D', () => {
    expect(statSync(FILE).size).toBeLessThan(400_000);
    const model = compileFile('examples/mlp2d.dn').models[0];
    const bound = bindWeights(model.parameters, loadWeightsFile(FILE), { source: FILE });
    expect([...bound.keys()].sort()).toEqual(model.parameters.map((p) => p.path).sort());
  });

  it('samples moons with DDIM: far closer to held-out data than random weights or Gaussian noise, near the data-vs-data floor', async () => {
    const program = compileFile('examples/mlp2d.dn');
    const [model] = program.models;
    const sampler = program.samplers.find((s) => s.name === 'ddim')!;
    const weights = bindWeights(model.parameters, loadWeightsFile(FILE));
    const n = 2000;
    const q = await measureQuality({ sampler, model, weights, data: openDataSource('moons'), n, seed: 3, backend: 'wasm' });
    const noise = slicedWasserstein(normals(3, 9, 0, 2 * n), q.heldOut);
    expect(q.trained).toBeLessThan(q.random / 20);
    expect(q.trained).toBeLessThan(noise / 3);
    // two samples of the data differ by ~0.04-0.08 at this size (mostly in how many points each moon gets)
    expect(q.trained).toBeLessThan(3 * q.dataVsData);
  });
});
