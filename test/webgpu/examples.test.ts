// Every example model and sampler (examples/*.dn) on WebGPU equals the reference executor.
// Tolerance (docs/targets.md): |webgpu − reference| ≤ 1e-4·max|reference| + 1e-4·|reference| per
// element of the final sample. The full-size models run one forward pass; to keep the reference
// executor's runs short, the samplers run on narrowed networks with fewer steps (default arguments
// edited in the source text), which keeps every op and the loop structure of the originals.
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { compileSource, type Program } from '../../dsl/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { deviceCapabilities, runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { expectClose, rand, reference } from './compare.ts';
import { gpuForTests } from './gpu.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

const gpu = await gpuForTests();

function program(file: string, edits: [string, string][]): Program {
  let text = readFileSync(`examples/${file}.dn`, 'utf8');
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`examples/${file}.dn no longer contains '${from}'; update this test`);
    text = text.replace(from, to);
  }
  return compileSource(text, `examples/${file}.dn`);
}

const STDLIB_SAMPLERS = ['ddpm', 'ddim', 'euler', 'euler_ancestral', 'heun', 'lms', 'dpmpp_1s', 'dpmpp_2m', 'dpmpp_3m', 'sde_dpmpp_2m']
  .map((name) => `sampler ${name}_check = ${name}(Gaussian2D, steps: 6)`)
  .join('\n');

const EXAMPLES: { name: string; program: () => Program }[] = [
  { name: 'mlp2d', program: () => program('mlp2d', []) },
  {
    name: 'unet_small (ch 16, 3 DDIM steps; 2 ancestral steps)',
    program: () =>
      program('unet_small', [
        ['ch: int = 64, temb: int = 128', 'ch: int = 16, temb: int = 32'],
        ['steps: 20)', 'steps: 3)\nsampler ancestral = ddim(UNetSmall, steps: 2, eta: 1.0)'],
      ]),
  },
  {
    name: 'every stdlib sampler (6 steps) on the exact Gaussian denoiser',
    program: () => program('gaussian', [['sampler fast = dpmpp_2m(Gaussian2D, steps: 10, sigmas: "karras")', STDLIB_SAMPLERS]]),
  },
  {
    name: 'dit_tiny (4 steps)',
    program: () =>
      program('dit_tiny', [
        ['dim: int = 128', 'dim: int = 64'],
        ['steps: 20)', 'steps: 4)'],
      ]),
  },
];

/** Deterministic inputs for a graph's params: seeds, class labels in [0, 10), floats elsewhere. */
function inputsFor(graph: Graph, dims: Record<string, number>): Record<string, Float32Array | Int32Array> {
  const out: Record<string, Float32Array | Int32Array> = {};
  graph.params.forEach((p, k) => {
    const type = tensorOf(p);
    const n = type.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : dims[d]), 1);
    const name = p.attrs.name as string;
    if (type.dtype === 'i32') out[name] = Int32Array.from({ length: n }, (_, i) => (name === 'seed' ? 1234 : (i * 3 + 1) % 10));
    else out[name] = rand(n, 100 + k, name === 't' ? 0 : -1, name === 't' ? 999 : 1);
  });
  return out;
}

async function expectSame(graph: Graph, weights: WeightSet, dims: Record<string, number>): Promise<void> {
  const inputs = inputsFor(graph, dims);
  const refInputs = Object.fromEntries(
    graph.params.map((p) => {
      const shape = tensorOf(p).shape.map((d) => (typeof d === 'number' ? d : dims[d]));
      return [p.attrs.name as string, { data: inputs[p.attrs.name as string], shape }];
    }),
  );
  const expected = await reference(graph, refInputs, weights, dims);
  const plan = compileForWebGPU(graph, { dims, caps: await deviceCapabilities(gpu) });
  const actual = await runOnWebGPU(plan, { inputs, weights, gpu });
  expected.forEach((e, i) => {
    const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expectClose(actual[i], e, { rtol: 1e-4, atol: 1e-4 * scale }, `${graph.name} output ${i}`);
  });
}

describe.skipIf(!gpu)('example models and samplers on WebGPU vs the reference executor', () => {
  it('full-size unet_small and dit_tiny forward passes (batch 1)', async () => {
    for (const file of ['unet_small', 'dit_tiny']) {
      const model = program(file, []).models[0];
      await expectSame(model.graph, initWeights(model.parameters, 5), { B: 1 });
    }
  });

  for (const ex of EXAMPLES) {
    it(ex.name, async () => {
      const p = ex.program();
      for (const model of p.models) {
        const weights = initWeights(model.parameters, 11);
        await expectSame(model.graph, weights, { B: 2 });
        for (const s of p.samplers.filter((x) => x.modelName === model.name)) await expectSame(s.graph, weights, { B: 2 });
      }
    });
  }
});
