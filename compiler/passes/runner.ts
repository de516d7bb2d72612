/**
 * The pass runner: applies an ordered list of passes, optionally verifying the graph before and
 * after each one (tests and `--verify`), dumping the IR after chosen passes, skipping disabled ones,
 * collecting per-pass statistics, and threading weights that passes create (low-rank factors,
 * folded batch norms) into the context of later passes. A verification failure names the pass that
 * broke the graph.
 *
 *   IR0150 the input graph is invalid     IR0152 a pass threw
 *   IR0151 a pass produced an invalid graph  IR0153 dump/disable names a pass not in the pipeline
 */
import { DenocError, type Diagnostic, type DiagnosticCode } from '../core/diagnostics.ts';
import type { Graph } from '../core/ir/node.ts';
import { printGraph, type PrintOptions } from '../core/ir/printer.ts';
import { graphDiagnostics } from '../core/ir/verify.ts';
import type { WeightSet } from '../core/tensor.ts';
import { resolveOptions, type OptionValue, type Pass, type PassContext } from './pass.ts';

export interface PipelineStep {
  readonly pass: Pass;
  readonly options?: Readonly<Record<string, OptionValue>>;
}

export interface RunPipelineOptions {
  /** Verify the input and the result of every pass. */
  readonly verify?: boolean;
  /** Pass names after which to dump the IR, or every pass. */
  readonly dumpAfter?: readonly string[] | 'all';
  /** Receives dumps; default writes them to stderr under a `// after <pass>` line. */
  readonly onDump?: (passName: string, text: string) => void;
  readonly dumpOptions?: PrintOptions;
  /** Pass names to skip. */
  readonly disable?: readonly string[];
  readonly ctx?: PassContext;
}

export interface PassRun {
  readonly pass: string;
  readonly skipped: boolean;
  readonly changed: boolean;
  readonly stats: Readonly<Record<string, number>>;
  readonly ms: number;
  readonly report?: unknown;
}

export interface PipelineResult {
  readonly graph: Graph;
  readonly stats: readonly PassRun[];
  /** The context's weights with every pass's new or replaced weights merged in. */
  readonly weights?: WeightSet;
}

export function runPipeline(graph: Graph, steps: readonly PipelineStep[], opts: RunPipelineOptions = {}): PipelineResult {
  checkNames(steps, opts.dumpAfter === 'all' ? [] : (opts.dumpAfter ?? []), '--dump-after');
  checkNames(steps, opts.disable ?? [], '--disable');
  if (opts.verify) verifyOrThrow(graph, 'IR0150', 'the pipeline input is not a valid graph');
  const disabled = new Set(opts.disable ?? []);
  const dump = opts.onDump ?? ((name: string, text: string) => process.stderr.write(`// after ${name}\n${text}`));
  let ctx: PassContext = opts.ctx ?? {};
  let current = graph;
  const stats: PassRun[] = [];
  for (const { pass, options } of steps) {
    if (disabled.has(pass.name)) {
      stats.push({ pass: pass.name, skipped: true, changed: false, stats: {}, ms: 0 });
      continue;
    }
    const resolved = resolveOptions(pass, options ?? {});
    const start = performance.now();
    const result = runOne(pass, current, resolved, ctx);
    const ms = performance.now() - start;
    if (opts.verify) verifyOrThrow(result.graph, 'IR0151', `pass '${pass.name}' produced an invalid graph`);
    if (result.weights?.size) ctx = { ...ctx, weights: new Map([...(ctx.weights ?? []), ...result.weights]) };
    current = result.graph;
    stats.push({ pass: pass.name, skipped: false, changed: result.changed, stats: result.stats, ms, report: result.report });
    if (opts.dumpAfter === 'all' || opts.dumpAfter?.includes(pass.name)) dump(pass.name, printGraph(current, opts.dumpOptions));
  }
  return { graph: current, stats, weights: ctx.weights };
}

function runOne(pass: Pass, graph: Graph, options: Record<string, OptionValue>, ctx: PassContext): ReturnType<Pass['run']> {
  try {
    return pass.run(graph, options, ctx);
  } catch (e) {
    const note: Diagnostic = { code: 'IR0152', severity: 'note', message: `while running pass '${pass.name}'` };
    if (e instanceof DenocError) throw new DenocError([...e.diagnostics, note]);
    const err = new DenocError({ code: 'IR0152', severity: 'error', message: `pass '${pass.name}' failed: ${(e as Error).message ?? String(e)}` });
    (err as Error).cause = e;
    throw err;
  }
}

function verifyOrThrow(graph: Graph, code: DiagnosticCode, headline: string): void {
  const diags = graphDiagnostics(graph);
  if (diags.length) throw new DenocError([{ code, severity: 'error', message: headline }, ...diags]);
}

function checkNames(steps: readonly PipelineStep[], names: readonly string[], flag: string): void {
  const known = steps.map((s) => s.pass.name);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length) {
    throw new DenocError({
      code: 'IR0153',
      severity: 'error',
      message: `${flag} names ${unknown.map((n) => `'${n}'`).join(', ')}, not in this pipeline (${known.join(', ') || 'empty'})`,
    });
  }
}
