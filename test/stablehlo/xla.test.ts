// The emitted StableHLO on real XLA: artifact directories run by scripts/xla-check.py with JAX (jaxlib's
// MLIR parser, PJRT compile, execute) and compared with the reference executor. Runs wherever a Python
// with JAX is found (scripts/jax-python.ts); `.ci/run` installs one and then sets DENOC_REQUIRE_XLA=1,
// which makes a missing JAX a failure instead of a skip. The full matrix is `npm run xla:check`.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSampler } from '../../compiler/compile.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { rewriteGraph } from '../../compiler/core/ir/rewrite.ts';
import { compileSource } from '../../dsl/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { writeStableHLOArtifacts, type ReferenceRunner } from '../../targets/stablehlo/artifacts.ts';
import { referenceRunner } from '../../api/run.ts';
import type { StableHLOOptions } from '../../targets/stablehlo/options.ts';
import { findJaxPython } from '../../scripts/jax-python.ts';
import { runProcess } from '../helpers/process.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

const python = findJaxPython();
const required = process.env.DENOC_REQUIRE_XLA === '1';

interface XlaRecord {
  ok: boolean;
  platform: string;
  outputs: { max_err: number; max_ref: number; ok: boolean }[];
}

async function xlaCheck(dir: string): Promise<{ status: number; stdout: string; record?: XlaRecord }> {
  const json = join(dir, 'result.json');
  const r = await runProcess(python!, ['scripts/xla-check.py', dir, '--platform', 'cpu', '--repeat', '1', '--json', json]);
  let record: XlaRecord | undefined;
  try {
    record = JSON.parse(readFileSync(json, 'utf8'));
  } catch {
    record = undefined;
  }
  return { status: r.code, stdout: r.out + r.err, record };
}

/** The example's sampler `name` (appended as `source` when given), loop cut to `steps` steps. */
function sampler(file: string, name: string, steps: number, source = ''): { graph: Graph; weights: WeightSet } {
  const program = compileSource(readFileSync(file, 'utf8') + source, file);
  const s = program.samplers.find((x) => x.name === name)!;
  const model = program.models.find((m) => m.name === s.modelName)!;
  const graph = rewriteGraph(compileSampler(s.graph), (n, inputs, b, regions) =>
    n.op === 'loop' ? b.op('loop', inputs, { ...n.attrs, count: Math.min(steps, n.attrs.count as number) }, n.span, regions) : undefined,
  );
  return { graph, weights: initWeights(model.parameters, 7) };
}

/** Reference outputs by graph and dims: every artifact of one graph here has the same weights and seed, so the
 * same inputs, and the variants (f32, unrolled, bf16) share one run of the reference executor. */
const references = new WeakMap<Graph, Map<string, ReturnType<ReferenceRunner>>>();
const reference: ReferenceRunner = (graph, inputs, weights, dims) => {
  const byDims = references.get(graph) ?? new Map<string, ReturnType<ReferenceRunner>>();
  references.set(graph, byDims);
  const key = JSON.stringify(dims);
  if (!byDims.has(key)) byDims.set(key, referenceRunner(graph, inputs, weights, dims));
  return byDims.get(key)!;
};

async function artifact(graph: Graph, weights: WeightSet, opts: StableHLOOptions): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-xla-'));
  await writeStableHLOArtifacts(graph, weights, dir, { reference, dims: { B: 2 }, seed: 5, ...opts });
  return dir;
}

it.runIf(required)('finds the JAX that .ci/run installed', () => {
  expect(python, 'DENOC_REQUIRE_XLA=1 but no Python with JAX was found (DENOC_JAX_PYTHON, .venv-jax/bin/python, python3)').toBeDefined();
});

// Skipped without JAX (set DENOC_JAX_PYTHON or make .venv-jax); required under .ci/run, see above.
describe.skipIf(!python)('StableHLO on real XLA (JAX)', () => {
  const mlp = sampler('examples/mlp2d.dn', 'ddim', 50);
  const variants: [string, StableHLOOptions, number][] = [
    ['f32 while loop', {}, 1e-5],
    ['f32 unrolled', { unroll: true }, 1e-5],
    ['bf16 with TPU tiling', { precision: 'bf16', tile: 'tpu' }, 2e-2],
  ];
  for (const [label, opts, relTol] of variants) {
    it(`mlp2d DDIM (50 steps), ${label}: XLA matches the reference`, async () => {
      const { status, stdout, record } = await xlaCheck(await artifact(mlp.graph, mlp.weights, opts));
      expect(status, stdout).toBe(0);
      expect(record!.platform).toBe('cpu');
      const [out] = record!.outputs;
      expect(out.max_err / out.max_ref).toBeLessThanOrEqual(relTol);
    });
  }

  it('dit_tiny DPM-Solver++(2M), first 2 steps, f32: XLA matches the reference', async () => {
    const dit = sampler('examples/dit_tiny.dn', 'dpmpp', 2, '\nsampler dpmpp = dpmpp_2m(DiTTiny, steps: 10)\n');
    const { status, stdout, record } = await xlaCheck(await artifact(dit.graph, dit.weights, {}));
    expect(status, stdout).toBe(0);
    expect(record!.outputs[0].max_err).toBeLessThanOrEqual(1e-3 + 1e-3 * record!.outputs[0].max_ref);
  });

  // In place of the TypeScript interpreter, which needs two minutes for this sampler (examples.test.ts).
  // The interpreter's tolerances there: f32 1e-4 + 1e-5·max|ref|, bf16 5e-2 + 2e-2·max|ref|.
  const unet = sampler('examples/unet_small.dn', 'ddim', 2);
  const unetVariants: [string, StableHLOOptions, number, number][] = [
    ['f32 while loop', {}, 1e-4, 1e-5],
    ['bf16 with TPU tiling', { precision: 'bf16', tile: 'tpu' }, 5e-2, 2e-2],
  ];
  for (const [label, opts, atol, rtol] of unetVariants) {
    it(`unet_small DDIM, first 2 steps, ${label}: XLA matches the reference`, async () => {
      const { status, stdout, record } = await xlaCheck(await artifact(unet.graph, unet.weights, opts));
      expect(status, stdout).toBe(0);
      const [out] = record!.outputs;
      expect(out.max_err, stdout).toBeLessThanOrEqual(atol + rtol * out.max_ref);
    });
  }

  it('reports a mismatch when the reference is wrong', async () => {
    const dir = await artifact(mlp.graph, mlp.weights, {});
    const npy = readFileSync(join(dir, 'reference_0.npy'));
    const header = 10 + (npy[8] | (npy[9] << 8));
    const values = new Float32Array(npy.buffer.slice(npy.byteOffset + header, npy.byteOffset + npy.length));
    values[1] += 1 + Math.abs(values[1]);
    writeFileSync(join(dir, 'reference_0.npy'), Buffer.concat([npy.subarray(0, header), Buffer.from(values.buffer)]));
    const { status, stdout, record } = await xlaCheck(dir);
    expect(status).toBe(1);
    expect(stdout).toContain('MISMATCH');
    expect(record!.ok).toBe(false);
  });
});
