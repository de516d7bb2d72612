/**
 * `denoc inspect FILE`: prints the IR of a model or sampler after any pass, with parameter count,
 * FLOPs per sampling step and per-pass statistics; can explain fusion decisions and TPU cost.
 */
import type { Command } from 'commander';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { compileSampler } from '../../compiler/compile.ts';
import { resolvePipeline } from '../../compiler/pipelines.ts';
import { ALL_PASSES } from '../../targets/index.ts';
import { graphCost } from '../../compiler/analysis/cost.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import { loadProgram, pickModel, pickSampler } from '../load.ts';
import { parseIntOption } from '../options.ts';
import { formatCount } from '../format.ts';

interface InspectOptions {
  model?: string;
  sampler?: string;
  after?: string;
  pipeline?: string;
  stats?: boolean;
  spans?: boolean;
  full?: boolean;
  batch: string;
  whyNotFused?: boolean;
  target?: string;
  cost?: string;
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('print the IR of a model or sampler (after a pass), its parameters and FLOPs per step')
    .argument('<file>', 'a .dn source file')
    .option('--model <name>', 'inspect this model instead of a sampler')
    .option('--sampler <name>', 'inspect this sampler (default: the last one)')
    .option('--after <pass>', 'print the IR after this pass of the pipeline (default: before any pass)')
    .option('--pipeline <list>', "pipeline name or comma-separated passes (default: 'default')")
    .option('--stats', 'print only the statistics: parameters, FLOPs per step, per-pass counters')
    .option('--spans', 'append DSL source locations to every node')
    .option('--full', 'print large constant tables in full')
    .option('--batch <n>', 'bind the batch dim B for FLOP counts', '1')
    .option('--why-not-fused', 'explain every fusion decision (WebGPU fusion pass)')
    .option('--target <name>', 'with --cost: stablehlo')
    .option('--cost <model>', 'with --target stablehlo: tpu')
    .action(async (file: string, opts: InspectOptions) => {
      const program = loadProgram(file);
      const batch = parseIntOption('--batch', opts.batch, 1, 'batch');
      const useModel = opts.model !== undefined || program.samplers.length === 0;
      const source = useModel ? pickModel(program, opts.model) : pickSampler(program, opts.sampler);
      const graph = graphAfter(source.graph, opts);
      if (opts.whyNotFused) return printFusionReport(graph);
      if (opts.cost) return printTpuCost(graph, opts, batch);
      if (!opts.stats) process.stdout.write(printGraph(graph, { spans: opts.spans, elideConstantsOver: opts.full ? undefined : 16 }));
      printStats(graph, batch, useModel);
    });
}

function graphAfter(graph: Graph, opts: InspectOptions): Graph {
  if (!opts.after && !opts.pipeline) return graph;
  const steps = resolvePipeline(opts.pipeline ?? 'default', ALL_PASSES);
  const names = steps.map((s) => s.pass.name);
  if (opts.after && !names.includes(opts.after)) {
    fail('CLI0050', `--after ${opts.after}: that pass is not in the pipeline (${names.join(', ')})`);
  }
  return compileSampler(graph, { pipeline: opts.pipeline ?? 'default', stopAfter: opts.after, passes: ALL_PASSES });
}

function printStats(graph: Graph, batch: number, isModel: boolean): void {
  const cost = graphCost(graph, { B: batch });
  const perStep = isModel ? cost : cost.perStep;
  process.stdout.write(`\nparameters: ${formatCount(cost.params)}\n`);
  process.stdout.write(`FLOPs per ${isModel ? 'forward' : 'sampling step'} (B=${batch}): ${formatCount(perStep.flops)}\n`);
  if (!isModel) process.stdout.write(`FLOPs whole sampler (B=${batch}): ${formatCount(cost.flops)}\n`);
}

async function printFusionReport(graph: Graph): Promise<void> {
  const { explainFusion } = await import('../../targets/webgpu/passes/fuse.ts');
  process.stdout.write(explainFusion(graph));
}

async function printTpuCost(graph: Graph, opts: InspectOptions, batch: number): Promise<void> {
  if (opts.target !== 'stablehlo' || opts.cost !== 'tpu') fail('CLI0051', '--cost tpu needs --target stablehlo');
  const { tpuCostReport } = await import('../../targets/stablehlo/tpu-cost.ts');
  process.stdout.write(tpuCostReport(graph, { dims: { B: batch } }));
}
