// The IR autodiff on the full image examples (e2e tier): unet_small (convolutions with stride and
// padding, group norms, attention, upsampling, class embedding) and dit_tiny (patchify convolution,
// layer norms, attention, GELU), every weight's gradient against tfjs' tape over the same graph.
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../dsl/index.ts';
import { rand } from '../ops/helpers.ts';
import { modelGradients } from './model-grads.ts';

const B = 2;
const INPUTS = {
  x: rand(B * 28 * 28, 1),
  t: Float32Array.of(10, 700),
  y: Int32Array.of(3, 7),
};

describe.each(['unet_small', 'dit_tiny'])('autodiff of %s', (name) => {
  it('gives every weight the gradient tfjs computes', async () => {
    const model = compileFile(`examples/${name}.dn`).models[0];
    const names = model.graph.params.map((p) => p.attrs.name as keyof typeof INPUTS);
    const inputs = Object.fromEntries(names.map((n) => [n, INPUTS[n]]));
    const { paths, ours, theirs } = await modelGradients(model, inputs, { B }, 'wasm');
    expect(paths.length).toBe(model.parameters.length);
    const worst = paths
      .map((p, i) => {
        const scale = Array.from(theirs[i]).reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
        return { p, err: Array.from(ours[i]).reduce((m, v, k) => Math.max(m, Math.abs(v - theirs[i][k])), 0) / scale };
      })
      .sort((a, b) => b.err - a.err);
    expect(worst[0].err, worst[0].p).toBeLessThan(1e-3);
  }, 300_000);
});
