/**
 * Compression on WebGPU: time per sampling step of unet_small after `prune=0.3`, after `low-rank`
 * (budget 0.5) and after both, against the exact model, in one run on one Dawn device. Also reports
 * parameters, FLOPs per step and the relative L2 error of the final sample (same seed) against the
 * exact model's sample on the same device. Weights are seeded random (no trained unet_small yet),
 * so the error column is a worst case. Writes bench/results/compression.json and .md.
 * Run: `npx tsx bench/compression.bench.ts [--batch N]`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { compileSampler } from '../compiler/compile.ts';
import { graphCost } from '../compiler/analysis/cost.ts';
import type { Graph } from '../compiler/core/ir/node.ts';
import { runPipeline } from '../compiler/passes/runner.ts';
import { PASSES } from '../compiler/pipelines.ts';
import { orderPasses, parseCompressionSpec } from '../api/report/approx-report.ts';
import { compileSource } from '../dsl/index.ts';
import { initWeights } from '../runtime/weights/init.ts';
import { sharedDevice, releaseSharedDevice } from '../runtime/webgpu/device.ts';
import { deviceCapabilities } from '../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../targets/webgpu/compile.ts';
import { WebGPUSession } from '../runtime/webgpu/session.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';

const STEPS = 3;
const batchArg = process.argv.indexOf('--batch');
const BATCH = batchArg > 0 ? Number(process.argv[batchArg + 1]) : 4;
const VARIANTS = ['exact', 'prune=0.3', 'low-rank=0.5', 'prune=0.3,low-rank=0.5'];

interface Row {
  variant: string;
  params: number;
  flopsPerStep: number;
  msPerStep: number;
  dispatches: number;
  sampleError: number;
}

const text = readFileSync('examples/unet_small.dn', 'utf8').replace(/steps: \d+\)/, `steps: ${STEPS})`);
const program = compileSource(text, 'examples/unet_small.dn');
const sampler = program.samplers[0];
const model = program.models.find((m) => m.name === sampler.modelName)!;
const exactWeights = initWeights(model.parameters, 0);

function compress(spec: string): { graph: Graph; weights: WeightSet } {
  if (spec === 'exact') return { graph: sampler.graph, weights: exactWeights };
  const steps = orderPasses(parseCompressionSpec(spec)).map((s) => ({ pass: PASSES[s.name], options: s.options ?? {} }));
  const r = runPipeline(sampler.graph, steps, { verify: true, ctx: { weights: exactWeights } });
  return { graph: r.graph, weights: r.weights ?? exactWeights };
}

const relL2 = (a: Float32Array, b: Float32Array): number => {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
};

const gpu = await sharedDevice();
const caps = await deviceCapabilities(gpu);
const rows: Row[] = [];
let exactSample: Float32Array | undefined;
for (const variant of VARIANTS) {
  const { graph, weights } = compress(variant);
  const compiled = compileSampler(graph);
  const cost = graphCost(compiled, { B: BATCH });
  const plan = compileForWebGPU(compiled, { dims: { B: BATCH }, caps });
  const session = await WebGPUSession.create(plan, gpu, weights);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => i % 10);
  const [sample] = await session.run({ seed: Int32Array.of(1), y: labels });
  const msPerStep = ((await session.time(2)) * 1000) / 2 / STEPS;
  session.destroy();
  exactSample ??= sample;
  rows.push({
    variant,
    params: cost.params,
    flopsPerStep: cost.perStep.flops,
    msPerStep,
    dispatches: plan.stats.dispatchesPerStep,
    sampleError: relL2(sample, exactSample),
  });
  process.stdout.write(
    `${variant}: ${msPerStep.toFixed(1)} ms/step, ${(cost.perStep.flops / 1e9).toFixed(2)} GFLOP/step, error ${rows.at(-1)!.sampleError.toExponential(2)}\n`,
  );
}
await releaseSharedDevice();

const base = rows[0];
const md =
  [
    `# Compression on WebGPU: unet_small, B=${BATCH}, ${STEPS} DDIM steps`,
    '',
    `Device: ${gpu.adapter.description}. Same run, same device; random weights (worst-case error).`,
    '',
    '| variant | params | GFLOP/step | ms/step | speedup | dispatches/step | final-sample rel. L2 error |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${(r.params / 1e6).toFixed(2)} M | ${(r.flopsPerStep / 1e9).toFixed(2)} | ${r.msPerStep.toFixed(1)} | ${(base.msPerStep / r.msPerStep).toFixed(2)}× | ${r.dispatches} | ${r.sampleError.toExponential(2)} |`,
    ),
  ].join('\n') + '\n';
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/compression.json', JSON.stringify({ batch: BATCH, steps: STEPS, date: new Date().toISOString(), rows }, null, 1) + '\n');
writeFileSync('bench/results/compression.md', md);
process.stdout.write(md);
