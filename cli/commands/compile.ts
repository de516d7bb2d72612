/**
 * `denoc compile FILE --target webgpu|stablehlo --out DIR`: writes a deployable artifact:
 * WGSL kernels + dispatch plan + weights, or a StableHLO module + weights + manifest.
 */
import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { fail } from '../../compiler/diagnostics.ts';
import { compileSampler } from '../../compiler/compile.ts';
import { loadProgram, loadWeights, pickModel, pickSampler } from '../load.ts';
import { parseIntOption } from '../options.ts';

interface CompileCliOptions {
  sampler?: string;
  target: string;
  out: string;
  weights?: string;
  seed: string;
  batch: string;
  precision: string;
  tile: string;
  unroll?: boolean;
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a sampler for a target and write the artifact to a directory')
    .argument('<file>', 'a .dn file defining a model and a sampler')
    .requiredOption('--target <name>', 'webgpu | stablehlo')
    .requiredOption('--out <dir>', 'output directory')
    .option('--sampler <name>', 'which sampler (default: the last one in the file)')
    .option('--weights <file>', 'trained weights (.safetensors); default: seeded random weights')
    .option('--seed <n>', 'seed for random weights', '0')
    .option('--batch <n>', 'static batch size B', '1')
    .option('--precision <p>', 'stablehlo: f32 | bf16', 'f32')
    .option('--tile <t>', 'stablehlo: none | tpu', 'none')
    .option('--unroll', 'stablehlo: emit straight-line steps instead of a while loop')
    .action(async (file: string, opts: CompileCliOptions) => {
      const program = loadProgram(file);
      const sampler = pickSampler(program, opts.sampler);
      const model = pickModel(program, sampler.modelName);
      const batch = parseIntOption('--batch', opts.batch, 1);
      const weights = loadWeights(model, opts.weights, parseIntOption('--seed', opts.seed, 0));
      const graph = compileSampler(sampler.graph);
      mkdirSync(opts.out, { recursive: true });
      if (opts.target === 'webgpu') {
        const { writeWebGPUArtifacts } = await import('../../runtime/webgpu/executor.ts');
        await writeWebGPUArtifacts(graph, weights.store, opts.out, { dims: { B: batch } });
      } else if (opts.target === 'stablehlo') {
        if (opts.precision !== 'f32' && opts.precision !== 'bf16') fail('CLI0060', `--precision must be f32 or bf16`);
        if (opts.tile !== 'none' && opts.tile !== 'tpu') fail('CLI0061', `--tile must be none or tpu`);
        const { writeStableHLOArtifacts } = await import('../../targets/stablehlo/index.ts');
        await writeStableHLOArtifacts(graph, weights.store, opts.out, {
          dims: { B: batch }, precision: opts.precision, tile: opts.tile, unroll: opts.unroll ?? false,
        });
      } else {
        fail('CLI0062', `unknown target '${opts.target}' (webgpu | stablehlo)`);
      }
      process.stdout.write(`wrote ${opts.target} artifact for ${sampler.name} to ${opts.out}\n`);
    });
}
