/**
 * The limits of compiler/core/limits.ts that bound what input can make denoc allocate (issue 17):
 * steps, range and comprehension lengths, tensor elements, a model's parameter bytes and the batch.
 * Each is refused with its code, fast (before anything of that size exists), and a case at or just
 * under the limit still goes through where that is cheap.
 */
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSampler } from '../../api/run.ts';
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { checkBoundSizes } from '../../compiler/core/ir/bind-dims.ts';
import { LIMITS } from '../../compiler/core/limits.ts';
import * as S from '../../compiler/schedules/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { compileFile } from '../../dsl/index.ts';
import { parseIntOption } from '../../cli/options.ts';
import { denocInProcess as denoc } from '../helpers/cli.ts';
import { compile, errors } from '../dsl/helpers.ts';

const ROOT = join(import.meta.dirname, '../..');
const MLP2D = readFileSync(join(ROOT, 'examples/mlp2d.dn'), 'utf8');
/** Fails fast: a refused input must not get near allocating its size. */
const FAST_MS = 2000;

/** The diagnostics of checking `src`, and how long that took. */
function timedErrors(src: string): { diags: Diagnostic[]; ms: number } {
  const t0 = performance.now();
  const diags = errors(src);
  return { diags, ms: performance.now() - t0 };
}

/** The DenocError `f` throws, or undefined. */
function thrown(f: () => unknown): DenocError | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DenocError) return e;
    throw e;
  }
  return undefined;
}

describe('steps limit (SCH0004)', () => {
  it('refuses a sampler with 10^8 steps before any table is made', () => {
    const { diags, ms } = timedErrors(MLP2D.replace('ddim(MLP2D, steps: 50)', 'ddim(MLP2D, steps: 100000000)'));
    expect(diags.map((d) => d.code)).toContain('SCH0004');
    expect(diags.find((d) => d.code === 'SCH0004')?.message).toMatch(/100000000 steps .* over the limit of 100000 \(steps\); to go further/);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('refuses a schedule with T over the limit and accepts spacing at exactly the limit', () => {
    expect(thrown(() => S.linear(1e-4, 0.02, LIMITS.steps.max + 1))?.diagnostics[0].code).toBe('SCH0004');
    expect(S.spacingTrailing(LIMITS.steps.max, LIMITS.steps.max)).toHaveLength(LIMITS.steps.max);
  });

  it('refuses a hand-written sampling loop of more steps than the limit', () => {
    const src = `import "std/samplers"
model M() {
  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {
    return x
  }
}
sampler s(model: Model) {
  x = randn(model.sample_shape)
  for i in 0 .. 60000 {
    x = x * 0.5
  }
  for i in 0 .. 60000 {
    x = x * 0.5
  }
  return x
}
sampler t = s(M)
`;
    const { diags, ms } = timedErrors(src);
    expect(diags.map((d) => d.code)).toContain('SCH0004');
    expect(diags.find((d) => d.code === 'SCH0004')?.message).toMatch(/120000 steps/);
    expect(ms).toBeLessThan(10 * FAST_MS);
  });
});

describe('range and comprehension limit (DSL0008)', () => {
  it('refuses a comprehension of 10^9 items before making one', () => {
    const { diags, ms } = timedErrors(MLP2D.replace('for i in 0 .. depth]', 'for i in 0 .. 1000000000]'));
    const d = diags.find((x) => x.code === 'DSL0008');
    expect(d?.message).toMatch(/the range 0 \.\. 1000000000: 1000000000 items .* \(rangeLength\)/);
    expect(d?.span?.line).toBe(18);
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('accepts a compile-time loop of exactly the limit', () => {
    const src = MLP2D.replace(
      '    e = embed(t)\n',
      `    k = 0\n    for i in 0 .. ${LIMITS.rangeLength.max} {\n      k = i\n    }\n    e = embed(t)\n`,
    );
    expect(errors(src)).toEqual([]);
  });
});

describe('tensor elements (IR0005) and parameter bytes (DSL0009)', () => {
  it('refuses a model whose hidden size makes a weight of 10^12 elements, naming the weight, at compile time', () => {
    const { diags, ms } = timedErrors(MLP2D.replace('hidden: int = 128', 'hidden: int = 1000000'));
    const d = diags.find((x) => x.code === 'IR0005');
    expect(d?.message).toMatch(
      /parameter '[\w.]+weight' f32\[1000000,1000000\]: 1000000000000 elements in one tensor is over the limit of 268435456 \(tensorElements\); to go further/,
    );
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('accepts a weight of exactly 2^28 elements (1 GiB) and refuses a second one as a model over parameterBytes', () => {
    // hidden 16384: the embedder's and each block's hidden × hidden weight is 2^28 elements; nothing is allocated
    const none = MLP2D.replace('hidden: int = 128', 'hidden: int = 16384').replace('depth: int = 3', 'depth: int = 0');
    const model = compile(none).models.find((m) => m.name === 'MLP2D');
    expect(model?.parameters.some((p) => p.type.shape.join() === '16384,16384')).toBe(true);
    const { diags, ms } = timedErrors(none.replace('depth: int = 0', 'depth: int = 1'));
    expect(diags.find((x) => x.code === 'DSL0009')?.message).toMatch(
      /the parameters of the model up to 'blocks\.0\.fc\.weight': \d+ bytes .* \(parameterBytes\)/,
    );
    expect(ms).toBeLessThan(FAST_MS);
  });

  it('refuses to initialize parameters over the limit without allocating them (specs not from the front end)', () => {
    const spec = { path: 'w', type: tensorType('f32', [1 << 20, 1 << 20]), init: { kind: 'zeros' as const } };
    expect(thrown(() => initWeights([spec], 0))?.diagnostics[0].code).toBe('IR0005');
  });

  it('refuses a batch whose activations are over the limit before running, and accepts the same graph at batch 16', async () => {
    const sampler = compileFile(join(ROOT, 'examples/unet_small.dn')).samplers.at(-1)!;
    expect(thrown(() => checkBoundSizes(sampler.graph, { B: 16 }))).toBeUndefined();
    const t0 = performance.now();
    const run = runSampler(sampler.graph, { target: 'reference', inputs: {}, weights: new Map(), dims: { B: LIMITS.batch.max } });
    await expect(run).rejects.toThrow(/IR0005: the result of \w+ f32\[1048576, .*\(B = 1048576\).*\(tensorElements\)/);
    expect(performance.now() - t0).toBeLessThan(FAST_MS);
  });
});

describe('batch limit (CLI0023)', () => {
  it('refuses --batch over the limit before anything is sampled', async () => {
    const t0 = performance.now();
    const r = await denoc('run', 'examples/mlp2d.dn', '--batch', String(LIMITS.batch.max + 1), '--no-progress');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CLI0023: --batch: 1048577 samples in one batch is over the limit of 1048576 \(batch\)/);
    expect(performance.now() - t0).toBeLessThan(5 * FAST_MS);
    expect(parseIntOption('--batch', String(LIMITS.batch.max), 1, 'batch')).toBe(LIMITS.batch.max);
  });

  it('refuses a huge --batch in train and compile too', async () => {
    for (const command of [
      ['train', 'examples/mlp2d.dn', '--data', 'moons'],
      ['compile', 'examples/mlp2d.dn', '--target', 'onnx', '--out', join(tmpdir(), 'denoc-never-written')],
    ]) {
      const r = await denoc(...command, '--batch', '1e12');
      expect(r.code, command.join(' ')).toBe(1);
      expect(r.err).toMatch(/CLI0023/);
    }
    expect(existsSync(join(tmpdir(), 'denoc-never-written'))).toBe(false);
  });
});
