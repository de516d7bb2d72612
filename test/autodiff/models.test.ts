// The IR autodiff on whole example models: the gradient of Σ model(x, t, …)·r with respect to every
// weight equals tfjs' tape gradient of the same graph (the trainer's oracle), weight by weight.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileFile } from '../../dsl/index.ts';
import { rand, useBackend } from '../ops/helpers.ts';
import { modelGradients } from './model-grads.ts';

beforeAll(() => useBackend());

describe('autodiff of example models', () => {
  it('differentiates mlp2d like tfjs, for every weight', async () => {
    const model = compileFile('examples/mlp2d.dn').models[0];
    const B = 8;
    const { paths, ours, theirs } = await modelGradients(model, { x: rand(2 * B, 1), t: rand(B, 2, 0, 999) }, { B });
    expect(paths.length).toBe(model.parameters.length);
    paths.forEach((p, i) => {
      const scale = Array.from(theirs[i]).reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
      const worst = Array.from(ours[i]).reduce((m, v, k) => Math.max(m, Math.abs(v - theirs[i][k])), 0);
      expect(worst / scale, p).toBeLessThan(1e-4);
    });
  });
});
