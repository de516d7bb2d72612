// Sampling-loop errors: a loop that updates nothing, and one error (not two) when the carried value is already bad.
import { describe, expect, it } from 'vitest';
import { errors } from './helpers.ts';

const modelSrc = 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {\n    return x\n  }\n}\n';

describe('sampling loop diagnostics', () => {
  it('rejects a loop that updates no tensor defined before it', () => {
    const src =
      modelSrc +
      'sampler s(model: Model, steps: int = 2) {\n  x = randn(model.sample_shape)\n  for i in 0 .. steps {\n    y = model(x, 1.0)\n  }\n  return x\n}\nsampler z = s(M)\n';
    const diags = errors(src);
    expect(diags.map((d) => d.code)).toContain('DSL0502');
    expect(diags.find((d) => d.code === 'DSL0502')!.message).toContain('must update a tensor');
    expect(diags.some((d) => d.code === 'IR0001')).toBe(false);
  });

  it('reports an error in the value a loop carries once, with no follow-up loop error', () => {
    const src =
      modelSrc +
      'sampler s(model: Model, steps: int = 2) {\n  x = matmul(randn([2, 3]), randn([4, 5]))\n  for i in 0 .. steps {\n    x = model(x, 1.0)\n  }\n  return x\n}\nsampler z = s(M)\n';
    const diags = errors(src);
    expect(diags).toHaveLength(1);
    expect(diags[0].span?.line).toBe(7);
    expect(diags[0].message).toMatch(/matmul/);
  });
});
