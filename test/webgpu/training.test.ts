// The training step on WebGPU (issue 11, Deliver 6): the whole step graph of compiler/training/step.ts —
// forward, the IR autodiff's backward (conv input and filter gradients, group-norm, attention,
// embedding and timestep-embedding gradients, as registry ops), Adam and the EMA — compiled by the
// WebGPU target with fusion and run as real WGSL on Dawn, against the reference executor on the same
// inputs. Every output (updated weights, both moments, EMA, loss) is compared.
import { describe, expect, it } from 'vitest';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { trainingStep } from '../../compiler/training/step.ts';
import { compileFile, compileSource } from '../../dsl/index.ts';
import { runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { rand, reference } from './compare.ts';
import { gpuForTests } from './gpu.ts';

const gpu = await gpuForTests();

/**
 * One of each layer a UNet trains through, small enough that its ~200 kernels compile quickly on a
 * software Vulkan driver: a 3×3 and a strided conv, group norm, SiLU, self-attention, class and
 * timestep embeddings, nearest upsampling and a channel concat.
 */
const TINY_UNET = `
import "std/nn"
model TinyUNet(ch: int = 8, temb: int = 16) {
  time = TimestepEmbedder(8, temb)
  label = Embedding(11, temb)
  stem = Conv2d(1, ch, k: 3, pad: 1)
  norm = GroupNorm(4, ch)
  proj = Linear(temb, ch)
  down = Conv2d(ch, ch, k: 3, stride: 2, pad: 1)
  attn = SelfAttention2d(ch, heads: 2, groups: 4)
  out = Conv2d(2 * ch, 1, k: 3, pad: 1)
  fn (x: f32[B, 1, 8, 8], t: f32[B], y: i32[B]) -> f32[B, 1, 8, 8] {
    e = time(t) + label(y)
    h = stem(x) + proj(silu(e))[:, :, None, None]
    h = silu(norm(h))
    d = attn(down(h))
    return out(concat([upsample(d, 2), h], axis: 1))
  }
}
`;

/** Inputs of a step: weights and noise in [-0.2, 0.2), v > 0 (a settled second moment), step 3, mid-noise levels. */
function stepInputs(params: readonly { name: string; shape: readonly number[]; dtype: string }[]): Record<string, Float32Array | Int32Array> {
  return Object.fromEntries(
    params.map((p, k) => {
      const n = p.shape.reduce((a, d) => a * d, 1);
      if (p.dtype === 'i32') return [p.name, Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % 11)];
      if (p.name === 'step') return [p.name, Float32Array.of(3)];
      if (p.name === 't') return [p.name, Float32Array.from(rand(n, 1000 + k, 50, 950))];
      if (p.name === 'alpha' || p.name === 'sigma') return [p.name, rand(n, 1000 + k, 0.4, 0.9)];
      if (p.name.startsWith('v:')) return [p.name, rand(n, 1000 + k, 1e-4, 1e-3)];
      return [p.name, rand(n, 1000 + k, -0.2, 0.2)];
    }),
  );
}

describe.skipIf(!gpu)('the training step on WebGPU vs the reference executor', () => {
  it.each([
    ['examples/mlp2d.dn', 16],
    ['TinyUNet', 2],
  ])(
    '%s at batch %i: every updated weight, moment, EMA and the loss',
    async (file, batch) => {
      const model = file === 'TinyUNet' ? compileSource(TINY_UNET, 'tiny_unet.dn').models[0] : compileFile(file).models[0];
      const step = trainingStep(model.graph, { B: batch }, { prediction: 'eps', lr: 1e-3, emaDecay: 0.999, clipNorm: 1 });
      const params = step.graph.params.map((p) => ({ name: String(p.attrs.name), shape: tensorOf(p).shape as number[], dtype: tensorOf(p).dtype }));
      const inputs = stepInputs(params);
      const plan = compileForWebGPU(step.graph);
      const actual = await runOnWebGPU(plan, { gpu, inputs });
      const expected = await reference(step.graph, inputs);
      expect(actual.length).toBe(4 * step.paths.length + 1);
      const names = ['w', 'm', 'v', 'ema'].flatMap((k) => step.paths.map((p) => `${k}':${p}`)).concat('loss');
      let worst = 0;
      expected.forEach((e, i) => {
        let diff = 0,
          scale = 0;
        e.forEach((v, k) => {
          diff = Math.max(diff, Math.abs(actual[i][k] - v));
          scale = Math.max(scale, Math.abs(v));
        });
        worst = Math.max(worst, diff / scale);
        expect(diff, names[i]).toBeLessThanOrEqual(1e-4 * scale + 1e-8);
      });
      // the loss is a real number and the step moved every weight
      expect(Number.isFinite(actual[actual.length - 1][0]) && actual[actual.length - 1][0] > 0).toBe(true);
      step.paths.forEach((p, i) => expect(actual[i], p).not.toEqual(inputs[`w:${p}`]));
      console.log(
        `${file} B=${batch}: ${plan.stats.dispatches} dispatches, ${plan.stats.kernels} kernels, peak ${(plan.stats.peakBytes / 2 ** 20).toFixed(1)} MiB, worst output difference ${worst.toExponential(2)} of its scale`,
      );
    },
    600_000,
  );
});
