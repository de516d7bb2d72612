/**
 * `denoc run FILE`: compiles a sampler, runs it (reference executor, WebGPU or ONNX on onnxruntime) and writes a PNG:
 * an image grid for image models, a scatter plot for 2-D point models.
 */
import type { Command } from 'commander';
import { writeFileAtomic } from '../../compiler/core/output-file.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { loadProgram, loadWeights, pickModel, pickSampler } from '../load.ts';
import { compileSampler } from '../../compiler/compile.ts';
import { executeSampler } from '../execute.ts';
import { renderSamples } from '../render-samples.ts';
import { parseClassList, parseIntOption } from '../options.ts';

interface RunOptions {
  sampler?: string;
  weights?: string;
  allowNonfiniteWeights?: boolean;
  out: string;
  seed: string;
  batch?: string;
  target: string;
  backend: string;
  classes?: string;
  progress: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('compile a sampler and draw samples; writes a PNG grid (images) or scatter plot (2-D points)')
    .argument('<file>', 'a .dn file defining a model and a sampler')
    .option('--sampler <name>', 'which sampler to run (default: the last one in the file)')
    .option('--weights <file>', 'trained weights (.safetensors); without it, seeded random weights are used')
    .option('--allow-nonfinite-weights', 'load weights holding NaN or Inf with a warning that counts them, instead of refusing them (WGT0014)')
    .option('--out <file>', 'output PNG', 'out/samples.png')
    .option('--seed <n>', 'noise seed', '0')
    .option('--batch <n>', 'number of samples (default 16 for images, 1000 for 2-D points)')
    .option('--target <name>', 'reference | webgpu | onnx', 'reference')
    .option('--backend <name>', 'reference executor backend: cpu | wasm', 'cpu')
    .option('--classes <list>', 'class labels for class-conditional models, e.g. 0,1,2 (cycled over the batch)')
    .option('--no-progress', 'do not draw a progress bar')
    .action(async (file: string, opts: RunOptions) => {
      const program = loadProgram(file);
      const sampler = pickSampler(program, opts.sampler);
      const model = pickModel(program, sampler.modelName);
      const seed = parseIntOption('--seed', opts.seed, 0);
      const sampleType = tensorOf(sampler.graph.outputs[0]);
      const isImage = sampleType.shape.length === 4;
      const batch = opts.batch === undefined ? (isImage ? 16 : 1000) : parseIntOption('--batch', opts.batch, 1, 'batch');
      if (!['reference', 'webgpu', 'onnx'].includes(opts.target)) fail('CLI0010', `unknown target '${opts.target}' (reference | webgpu | onnx)`);
      if (opts.backend !== 'cpu' && opts.backend !== 'wasm') fail('CLI0011', `unknown backend '${opts.backend}' (cpu | wasm)`);
      const weights = loadWeights(model, opts.weights, seed, opts.allowNonfiniteWeights);
      if (weights.random) {
        process.stderr.write(`note: no --weights given: using seeded random weights for ${model.name} (untrained), so samples are noise-like\n`);
      }
      const compiled = compileSampler(sampler.graph);
      const t0 = performance.now();
      const samples = await executeSampler(compiled, {
        target: opts.target,
        backend: opts.backend,
        batch,
        seed,
        weights: weights.weights,
        classes: opts.classes,
        progress: opts.progress,
        steps: sampler.steps,
      });
      const seconds = (performance.now() - t0) / 1000;
      const labels = opts.classes === undefined ? undefined : parseClassList(opts.classes, batch);
      writeFileAtomic(opts.out, renderSamples(samples, sampleType.shape, batch, `${sampler.name}, ${sampler.steps} steps`, labels));
      process.stdout.write(
        `wrote ${opts.out}: ${batch} samples from ${sampler.name} (${sampler.steps} steps) ` +
          `on ${opts.target === 'reference' ? `reference/${opts.backend}` : opts.target} in ${seconds.toFixed(2)} s` +
          `${weights.random ? ' [random weights]' : ''}\n`,
      );
    });
}
