/**
 * The compiler's front door after the DSL: runs a pipeline (a name such as `default`, or a spec
 * such as `fold-constants,cse,low-rank{energy=0.9}`) over a sampler or model graph, verifying
 * between passes, and returns the optimized graph, the weights passes created, and per-pass stats.
 */
import type { Graph } from './core/ir/node.ts';
import { resolvePipeline, type PassTable } from './pipelines.ts';
import { runPipeline, type PipelineResult } from './passes/runner.ts';
import type { PassContext } from './passes/pass.ts';

export interface CompileOptions {
  readonly pipeline?: string | readonly string[];
  readonly disable?: readonly string[];
  readonly dumpAfter?: readonly string[] | 'all';
  readonly onDump?: (pass: string, text: string) => void;
  readonly ctx?: PassContext;
  /** Stop after this pass (for `denoc inspect --after`). */
  readonly stopAfter?: string;
  /** Passes a spec may name (default: the target-independent ones; targets/index.ts has them all). */
  readonly passes?: PassTable;
}

export function compileGraph(graph: Graph, opts: CompileOptions = {}): PipelineResult {
  let steps = resolvePipeline(opts.pipeline ?? 'default', opts.passes);
  if (opts.stopAfter !== undefined) {
    const at = steps.findIndex((s) => s.pass.name === opts.stopAfter);
    if (at >= 0) steps = steps.slice(0, at + 1);
  }
  return runPipeline(graph, steps, {
    verify: true,
    dumpAfter: opts.dumpAfter,
    onDump: opts.onDump,
    disable: opts.disable,
    ctx: opts.ctx ?? {},
  });
}

export function compileSampler(graph: Graph, opts: CompileOptions = {}): Graph {
  return compileGraph(graph, opts).graph;
}
