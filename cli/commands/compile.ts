/**
 * `denoc compile FILE --target webgpu|stablehlo --out DIR`: writes a deployable artifact:
 * WGSL kernels + dispatch plan + weights, or a StableHLO module + weights + manifest.
 */
import { basename } from 'node:path';
import type { Graph } from '../../compiler/core/ir/node.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { PASSES } from '../../compiler/pipelines.ts';
import { runPipeline } from '../../compiler/passes/runner.ts';
import { compressionReport, orderPasses, parseCompressionSpec } from '../../api/report/approx-report.ts';
import type { Command } from 'commander';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import { compileSampler } from '../../compiler/compile.ts';
import { writeArtifacts } from '../../api/compile.ts';
import { TARGETS } from '../../targets/index.ts';
import type { ConvLayout, HloPrecision, HloTile } from '../../targets/stablehlo/options.ts';
import { loadProgram, loadWeights, pickModel, pickSampler } from '../load.ts';
import { parseIntOption } from '../options.ts';

interface CompileCliOptions {
  sampler?: string;
  target: string;
  out: string;
  weights?: string;
  allowNonfiniteWeights?: boolean;
  seed: string;
  batch: string;
  precision: string;
  tile: string;
  unroll?: boolean;
  convLayout: string;
  passes?: string;
  report?: string;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a sampler for a target and write the artifact to a directory')
    .argument('<file>', 'a .dn file defining a model and a sampler')
    .requiredOption('--target <name>', Object.keys(TARGETS).join(' | '))
    .requiredOption('--out <dir>', 'output directory')
    .option('--sampler <name>', 'which sampler (default: the last one in the file)')
    .option('--weights <file>', 'trained weights (.safetensors); default: seeded random weights')
    .option('--allow-nonfinite-weights', 'load weights holding NaN or Inf with a warning that counts them, instead of refusing them (WGT0014)')
    .option('--seed <n>', 'seed for random weights', '0')
    .option('--batch <n>', 'static batch size B', '1')
    .option('--precision <p>', 'stablehlo: f32 | bf16', 'f32')
    .option('--tile <t>', 'stablehlo: none | tpu', 'none')
    .option('--unroll', 'stablehlo: emit straight-line steps instead of a while loop')
    .option('--conv-layout <l>', 'stablehlo: nhwc (channels-last convolutions between transposes) | nchw', 'nhwc')
    .option('--passes <spec>', "compression passes before the default pipeline, e.g. 'low-rank=0.5,prune=0.3'")
    .option('--report <file>', 'with --passes: write an error/savings report (markdown + PNG chart)')
    .action(async (file: string, opts: CompileCliOptions) => {
      const program = loadProgram(file);
      const sampler = pickSampler(program, opts.sampler);
      const model = pickModel(program, sampler.modelName);
      const batch = parseIntOption('--batch', opts.batch, 1, 'batch');
      const weights = loadWeights(model, opts.weights, parseIntOption('--seed', opts.seed, 0), opts.allowNonfiniteWeights);
      const compressed = opts.passes
        ? await compress(sampler.graph, model.graph, weights.weights, opts.passes, opts.report)
        : { graph: sampler.graph, weights: weights.weights };
      const graph = compileSampler(compressed.graph);
      if (opts.target === 'stablehlo') {
        if (opts.precision !== 'f32' && opts.precision !== 'bf16') fail('CLI0060', `--precision must be f32 or bf16`);
        if (opts.tile !== 'none' && opts.tile !== 'tpu') fail('CLI0061', `--tile must be none or tpu`);
        if (opts.convLayout !== 'nhwc' && opts.convLayout !== 'nchw') fail('CLI0063', `--conv-layout must be nhwc or nchw`);
      }
      await writeArtifacts(opts.target, graph, compressed.weights, opts.out, {
        dims: { B: batch },
        precision: opts.precision as HloPrecision,
        tile: opts.tile as HloTile,
        unroll: opts.unroll ?? false,
        convLayout: opts.convLayout as ConvLayout,
      });
      process.stdout.write(`wrote ${opts.target} artifact for ${sampler.name} to ${opts.out}\n`);
    });
}

/** Runs the compression passes; with a report path, also measures their error and savings. */
async function compress(
  sampler: Graph,
  model: Graph,
  weights: WeightSet,
  spec: string,
  reportPath: string | undefined,
): Promise<{ graph: Graph; weights: WeightSet }> {
  const specs = orderPasses(parseCompressionSpec(spec));
  if (!reportPath) {
    const steps = specs.map((s) => ({ pass: PASSES[s.name], options: s.options ?? {} }));
    const r = runPipeline(sampler, steps, { verify: true, ctx: { weights } });
    return { graph: r.graph, weights: r.weights ?? weights };
  }
  const pngPath = reportPath.replace(/\.md$/, '') + '.png';
  const report = await compressionReport(sampler, weights, specs, { model, pngName: basename(pngPath), backend: 'wasm' });
  writeFileAtomic(reportPath, report.markdown);
  writeFileAtomic(pngPath, report.png);
  process.stdout.write(`wrote ${reportPath} and ${pngPath}\n`);
  return report;
}
