/**
 * The compiler's front door after the DSL: runs a named pipeline over a sampler or model graph,
 * verifying between passes, and returns the optimized graph with per-pass statistics.
 */
import type { Graph } from './ir/node.ts';
import { PIPELINES, PASSES } from './pipelines.ts';
import { runPipeline } from './passes/runner.ts';
import { fail } from './diagnostics.ts';
import type { OptionValue, PassContext } from './passes/pass.ts';

export interface CompileOptions {
  /** A named pipeline from compiler/pipelines.ts, or an explicit list of pass names. */
  readonly pipeline?: string | readonly string[];
  readonly passOptions?: Readonly<Record<string, Record<string, OptionValue>>>;
  readonly disable?: readonly string[];
  readonly dumpAfter?: readonly string[] | 'all';
  readonly onDump?: (pass: string, text: string) => void;
  readonly ctx?: PassContext;
}

export function pipelinePasses(pipeline: string | readonly string[] = 'default'): string[] {
  if (typeof pipeline === 'string') {
    const named = PIPELINES[pipeline];
    if (!named) fail('CMP0001', `unknown pipeline '${pipeline}' (known: ${Object.keys(PIPELINES).join(', ')})`);
    return [...named];
  }
  for (const name of pipeline) {
    if (!PASSES[name]) fail('CMP0002', `unknown pass '${name}' (run 'denoc passes' for the list)`);
  }
  return [...pipeline];
}

export function compileSampler(graph: Graph, opts: CompileOptions = {}): Graph {
  const names = pipelinePasses(opts.pipeline);
  const result = runPipeline(
    graph,
    names.map((name) => ({ pass: PASSES[name], options: opts.passOptions?.[name] ?? {} })),
    { verify: true, dumpAfter: opts.dumpAfter ? [...(opts.dumpAfter === 'all' ? names : opts.dumpAfter)] : undefined,
      onDump: opts.onDump, disable: opts.disable ? [...opts.disable] : undefined, ctx: opts.ctx ?? {} },
  );
  return result.graph;
}
