/**
 * What the compression passes report in `PassResult.report`: per layer and in total, parameters and
 * FLOPs before and after, and the error each change introduces at the weight level. The end-to-end
 * errors (denoiser output, final sample) need the reference executor and are measured by
 * approx-report.ts on top of these.
 */
import type { PassContext } from '../passes/pass.ts';

export interface LayerChange {
  /** The weight path (or a description for constants) that identifies the layer. */
  readonly layer: string;
  /** e.g. 'linear', 'conv1x1', 'channels', 'heads', 'batch_norm'. */
  readonly kind: string;
  /** Human-readable decision, e.g. 'rank 12 of 64' or 'kept 24 of 32 channels'. */
  readonly detail: string;
  readonly paramsBefore: number;
  readonly paramsAfter: number;
  /** FLOPs per run of the graph (loop bodies counted `count` times), symbolic dims as bound or 1. */
  readonly flopsBefore: number;
  readonly flopsAfter: number;
  /** Relative error of the rewritten weights, ‖W − W'‖_F / ‖W‖_F (activation-weighted if so run). */
  readonly weightError?: number;
}

export interface SkippedLayer {
  readonly layer: string;
  readonly reason: string;
}

export interface ApproxReport {
  readonly pass: string;
  /** True for exact rewrites (fold-batchnorm, hoisting) whose only error is float rounding. */
  readonly exact: boolean;
  readonly layers: readonly LayerChange[];
  readonly skipped: readonly SkippedLayer[];
  readonly total: {
    readonly paramsBefore: number;
    readonly paramsAfter: number;
    readonly flopsBefore: number;
    readonly flopsAfter: number;
  };
  /** Extra figures a pass wants in the report (sparsity, FLOPs per step, ...). */
  readonly notes: readonly string[];
}

export function isApproxReport(x: unknown): x is ApproxReport {
  return typeof x === 'object' && x !== null && 'pass' in x && 'layers' in x && 'total' in x;
}

/**
 * A report whose totals are the sums of the layer figures, unless `total` is given (passes whose
 * layer changes overlap, like pruning coupled channel groups, measure the whole graph instead).
 */
export function makeReport(
  pass: string,
  exact: boolean,
  layers: readonly LayerChange[],
  skipped: readonly SkippedLayer[] = [],
  notes: readonly string[] = [],
  total?: ApproxReport['total'],
): ApproxReport {
  const sum = (f: (l: LayerChange) => number): number => layers.reduce((s, l) => s + f(l), 0);
  return {
    pass,
    exact,
    layers,
    skipped,
    notes,
    total: total ?? {
      paramsBefore: sum((l) => l.paramsBefore),
      paramsAfter: sum((l) => l.paramsAfter),
      flopsBefore: sum((l) => l.flopsBefore),
      flopsAfter: sum((l) => l.flopsAfter),
    },
  };
}

/** Input statistics of one layer: Σ xᵀx over every input vector x it saw during calibration. */
export interface InputGram {
  /** Row-major dim×dim. */
  readonly gram: Float64Array;
  readonly dim: number;
  /** Number of input vectors summed. */
  readonly samples: number;
}

/**
 * Calibration data for the data-aware options: input Gram matrices per weight path (low-rank
 * `activationAware`) and loss gradients per weight path (prune `importance=taylor`). Collected by
 * api/report/calibrate.ts on the reference executor; handed to the passes in their context.
 */
export interface Calibration {
  readonly inputGram: ReadonlyMap<string, InputGram>;
  readonly gradients?: ReadonlyMap<string, Float32Array>;
}

/** A pass context that may carry calibration data (the runner passes the context through as is). */
export interface CompressionContext extends PassContext {
  readonly calibration?: Calibration;
}
