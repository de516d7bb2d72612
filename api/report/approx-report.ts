/**
 * The compression report behind `denoc compile --passes low-rank=0.5,prune=0.3 --report report.md`:
 * runs the passes on the sampler (and on the denoiser model, whose weight paths are the same),
 * measures parameters and FLOPs before/after, the relative L2 error of the denoiser output on
 * synthetic calibration inputs and of the final sample of a fixed-seed sampler run against the
 * exact graph, sweeps each approximate pass over a range of ratios (error against saved FLOPs),
 * and renders markdown tables plus a PNG chart.
 *
 * The passes run in a fixed order whatever order they are given in: fold-batchnorm (exact, and it
 * removes ops that would otherwise couple channels), prune (on the original layers, not on
 * low-rank factors), low-rank, hoist-loop-invariant (exact; after the weight rewrites so it hoists
 * the rewritten layers), then any other pass in the order given.
 *
 * Spec values: `name=v` sets a pass's primary option, always "how much to cut":
 * low-rank=v keeps 1 − v of the eligible layers' FLOPs (budget), prune=v removes a fraction v of
 * the channels. `name{key=value,...}` sets options directly, `name` alone takes the defaults.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import type { OptionValue } from '../../compiler/passes/pass.ts';
import { runPipeline, type PipelineStep } from '../../compiler/passes/runner.ts';
import { PASSES, resolvePipeline } from '../../compiler/pipelines.ts';
import { linePlot, type LineSeries } from '../render/png.ts';
import type { ReferenceBackend } from '../../compiler/semantics/backend.ts';
import { collectCalibration } from './calibrate.ts';
import { costOf, type Dims } from '../../compiler/report/graph-stats.ts';
import { passMarkdown, summaryMarkdown, sweepMarkdown, type SweepPoint } from './markdown.ts';
import { relativeError, syntheticInputs, type InputOptions } from './measure.ts';
import { isApproxReport, type ApproxReport, type Calibration, type CompressionContext } from '../../compiler/report/types.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

export interface CompressionPassSpec {
  readonly name: string;
  readonly options?: Readonly<Record<string, OptionValue>>;
}

/** The primary option of each approximate pass as a function of "how much to cut" v in [0, 1). */
export const PRIMARY_OPTION: Readonly<Record<string, (v: number) => Record<string, OptionValue>>> = {
  'low-rank': (v) => ({ budget: Number((1 - v).toFixed(6)) }),
  prune: (v) => ({ ratio: v }),
};

/** Reads `low-rank=0.5,prune{ratio=0.3,importance=l1},fold-batchnorm`. */
export function parseCompressionSpec(text: string): CompressionPassSpec[] {
  const items = text
    .split(/,(?![^{]*\})/)
    .map((s) => s.trim())
    .filter(Boolean);
  return items.map((item) => {
    const m = /^([\w-]+)=([^{}]+)$/.exec(item);
    if (!m) {
      const [step] = resolvePipeline(item);
      return { name: step.pass.name, options: step.options ?? {} };
    }
    const primary = PRIMARY_OPTION[m[1]];
    if (!primary) fail('CPR0301', `'${m[1]}=${m[2]}': only ${Object.keys(PRIMARY_OPTION).join(', ')} take a value; write ${m[1]}{option=value}`);
    const v = Number(m[2]);
    if (!Number.isFinite(v) || v < 0 || v >= 1) fail('CPR0302', `'${item}': the amount to cut must be a number in [0, 1)`);
    return { name: m[1], options: primary(v) };
  });
}

export interface CompressionReportOptions {
  /** The denoiser graph, for the denoiser error and the sweep (default: `graph` when it has no loop). */
  readonly model?: Graph;
  /** Batch size B for costs and runs (default 2); other symbolic dims go in `dims`. */
  readonly batch?: number;
  readonly dims?: Dims;
  /** Calibration batches for the denoiser error and activation statistics (default 2). */
  readonly calibrationBatches?: number;
  readonly classes?: number;
  /** Seed of the fixed-seed sampler run (default 0). */
  readonly seed?: number;
  /** Run the sampler exactly and compressed for the final-sample error (default true). */
  readonly sample?: boolean;
  /** Amounts to cut for the chart, per approximate pass (default 0.1 … 0.7); [] skips the sweep. */
  readonly sweep?: readonly number[];
  readonly backend?: ReferenceBackend;
  /** How the markdown links the chart (default `report.png`). */
  readonly pngName?: string;
  /** Statistics for data-aware options; collected on the model when a pass needs them and none are given. */
  readonly calibration?: Calibration;
}

export interface CompressionReport {
  readonly markdown: string;
  readonly png: Uint8Array;
  readonly graph: Graph;
  readonly weights: WeightSet;
  readonly reports: readonly ApproxReport[];
  readonly errors: { readonly denoiser?: number; readonly sample?: number };
  readonly sweep: readonly SweepPoint[];
}

const hasLoop = (g: Graph): boolean => topoOrder(g).some((n) => n.op === 'loop');

const ORDER = ['fold-batchnorm', 'prune', 'low-rank', 'hoist-loop-invariant'];

/** The specs in the order the passes must run (see the header). */
export function orderPasses(passes: readonly CompressionPassSpec[]): CompressionPassSpec[] {
  const rank = (p: CompressionPassSpec): number => (ORDER.includes(p.name) ? ORDER.indexOf(p.name) : ORDER.length);
  return [...passes].sort((a, b) => rank(a) - rank(b));
}

function stepsOf(passes: readonly CompressionPassSpec[]): PipelineStep[] {
  return passes.map(({ name, options }) => {
    const pass = PASSES[name];
    if (!pass) fail('CPR0303', `unknown pass '${name}' (passes: ${Object.keys(PASSES).join(', ')})`);
    return { pass, options: options ?? {} };
  });
}

function compress(graph: Graph, steps: PipelineStep[], ctx: CompressionContext) {
  const r = runPipeline(graph, steps, { verify: true, ctx });
  return { graph: r.graph, weights: r.weights ?? ctx.weights ?? new Map(), reports: r.stats.map((s) => s.report).filter(isApproxReport) };
}

function specText(passes: readonly CompressionPassSpec[]): string {
  return passes
    .map((p) => {
      const o = Object.entries(p.options ?? {})
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return o ? `${p.name}{${o}}` : p.name;
    })
    .join(',');
}

export async function compressionReport(
  graph: Graph,
  weights: WeightSet,
  given: readonly CompressionPassSpec[],
  opts: CompressionReportOptions = {},
): Promise<CompressionReport> {
  const passes = orderPasses(given);
  const dims: Dims = { B: opts.batch ?? 2, ...opts.dims };
  const model = opts.model ?? (hasLoop(graph) ? undefined : graph);
  const steps = stepsOf(passes);
  const calibration = opts.calibration ?? (await calibrationFor(passes, model, weights, dims, opts));
  const ctx: CompressionContext = { weights: new Map(weights), dims, calibration };
  const main = compress(graph, steps, ctx);
  const inputOpts: InputOptions = { dims, seed: opts.seed ?? 0, classes: opts.classes };
  const batches = opts.calibrationBatches ?? 2;
  const errors: { denoiser?: number; sample?: number } = {};
  if (model) {
    const m = model === graph ? main : compress(model, steps, ctx);
    errors.denoiser = await relativeError(
      { exact: model, exactWeights: weights, approx: m.graph, approxWeights: m.weights },
      batches,
      inputOpts,
      opts.backend,
    );
  }
  if (hasLoop(graph) && opts.sample !== false) {
    errors.sample = await relativeError(
      { exact: graph, exactWeights: weights, approx: main.graph, approxWeights: main.weights },
      1,
      inputOpts,
      opts.backend,
    );
  }
  const sweep = model ? await sweepPasses(model, weights, passes, ctx, { ...inputOpts, batches, backend: opts.backend, values: opts.sweep }) : [];
  const [before, after] = [costOf(graph, dims), costOf(main.graph, dims)];
  const png = chart(sweep, graph.name);
  const markdown =
    [
      summaryMarkdown({
        title: `@${graph.name}`,
        passes: specText(passes),
        batch: dims.B,
        before: { params: before.params, flops: before.flops, perStep: before.perStep.flops },
        after: { params: after.params, flops: after.flops, perStep: after.perStep.flops },
        denoiserError: errors.denoiser,
        denoiserInputs: model ? `${batches} synthetic batches of ${dims.B}` : 'no model graph given',
        sampleError: errors.sample,
        sampleNote: errors.sample === undefined ? 'not run' : `seed ${inputOpts.seed}`,
      }),
      ...main.reports.map(passMarkdown),
      sweepMarkdown(sweep, opts.pngName ?? 'report.png'),
    ]
      .filter(Boolean)
      .join('\n\n') + '\n';
  return { markdown, png, graph: main.graph, weights: main.weights, reports: main.reports, errors, sweep };
}

/** Input Gram matrices when a pass asks for them (low-rank activationAware). */
async function calibrationFor(
  passes: readonly CompressionPassSpec[],
  model: Graph | undefined,
  weights: WeightSet,
  dims: Dims,
  opts: CompressionReportOptions,
): Promise<Calibration | undefined> {
  if (!passes.some((p) => p.options?.activationAware === true)) return undefined;
  if (!model) return fail('CPR0304', 'activation-aware low-rank needs the model graph for calibration (opts.model)');
  const inputOpts: InputOptions = { dims, seed: (opts.seed ?? 0) + 7, classes: opts.classes };
  const batches = Array.from({ length: opts.calibrationBatches ?? 2 }, (_, i) => syntheticInputs(model, inputOpts, i + 100));
  return collectCalibration(model, weights, batches, dims);
}

interface SweepOptions extends InputOptions {
  readonly batches: number;
  readonly backend?: ReferenceBackend;
  readonly values?: readonly number[];
}

/** Each approximate pass alone on the model, over a range of amounts, with the other options kept. */
async function sweepPasses(
  model: Graph,
  weights: WeightSet,
  passes: readonly CompressionPassSpec[],
  ctx: CompressionContext,
  opts: SweepOptions,
): Promise<SweepPoint[]> {
  const values = opts.values ?? [0.1, 0.25, 0.4, 0.55, 0.7];
  const exact = costOf(model, opts.dims);
  const points: SweepPoint[] = [];
  for (const spec of passes.filter((p) => PRIMARY_OPTION[p.name])) {
    for (const v of values) {
      const options = { ...spec.options, ...PRIMARY_OPTION[spec.name](v), ...(spec.name === 'prune' ? { skipInfeasible: true } : {}) };
      const c = compress(model, stepsOf([{ name: spec.name, options }]), ctx);
      const cost = costOf(c.graph, opts.dims);
      const error = await relativeError(
        { exact: model, exactWeights: weights, approx: c.graph, approxWeights: c.weights },
        opts.batches,
        opts,
        opts.backend,
      );
      points.push({
        pass: spec.name,
        value: v,
        setting: specText([{ name: spec.name, options: PRIMARY_OPTION[spec.name](v) }]),
        savedFlops: 1 - cost.flops / exact.flops,
        savedParams: 1 - cost.params / exact.params,
        error,
      });
    }
  }
  return points;
}

function chart(points: readonly SweepPoint[], name: string): Uint8Array {
  const series: LineSeries[] = [...new Set(points.map((p) => p.pass))]
    .map((pass) => {
      const mine = points.filter((p) => p.pass === pass && p.error > 0).sort((a, b) => a.savedFlops - b.savedFlops);
      return { name: pass, x: mine.map((p) => 100 * p.savedFlops), y: mine.map((p) => p.error) };
    })
    .filter((s) => s.x.length > 0);
  const placeholder: LineSeries[] = [{ name: 'no sweep', x: [0, 1], y: [1, 1] }];
  return linePlot(series.length ? series : placeholder, {
    title: `${name}: denoiser error vs saved FLOPs`,
    xLabel: 'FLOPs saved (%)',
    yLabel: 'relative L2 error',
    logY: series.length > 0,
  });
}
