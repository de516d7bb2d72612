/**
 * Options of the StableHLO target and their validation. Every shape in the module is static, so the
 * symbolic dims of the graph (`B`) must be bound here; a bad option is a DenocError, not a late crash.
 *
 * Diagnostic codes of this target: HLO00xx options and binding, HLO01xx lowering, HLO02xx parsing the
 * emitted text, HLO03xx interpreting it, HLO04xx artifacts.
 */
import { fail } from '../../compiler/core/diagnostics.ts';

export type HloPrecision = 'f32' | 'bf16';
export type HloTile = 'none' | 'tpu';
export type ConvLayout = 'nchw' | 'nhwc';

export interface StableHLOOptions {
  /** Values for the graph's symbolic dims, e.g. `{B: 4}`. */
  readonly dims?: Readonly<Record<string, number>>;
  /** 'bf16': dot/conv operands in bf16 with f32 accumulation; everything else stays f32. */
  readonly precision?: HloPrecision;
  /** 'tpu': pad matmul/conv operands to the TPU's (8, 128) tiles where it pays, slicing the padding away. */
  readonly tile?: HloTile;
  /** Emit the sampling loop as straight-line steps instead of `stablehlo.while`. */
  readonly unroll?: boolean;
  /**
   * Dimension order of `stablehlo.convolution`. 'nhwc' (default): the graph's NCHW/OIHW tensors are
   * transposed around each convolution, which runs channels-last. XLA:CPU (jaxlib 0.10.2) runs
   * channels-first convolutions inside a `while` body ~20× slower than channels-last ones (measured:
   * docs/targets.md); elsewhere XLA's layout assignment is free to fold the transposes into layouts.
   */
  readonly convLayout?: ConvLayout;
  /**
   * Data parallelism by SPMD partitioning: the module carries Shardy annotations for a 1-D mesh of
   * `devices` devices: the `batchInputs` (graph parameters) split along their first axis, every other
   * argument and every result replicated, so XLA partitions the computation and inserts the all-reduces
   * (a mean over the batch becomes partial sums and one all-reduce). Absent or devices 1: no annotations.
   */
  readonly dataParallel?: DataParallel;
}

export interface DataParallel {
  readonly devices: number;
  readonly batchInputs: readonly string[];
}

export interface ResolvedOptions {
  readonly dims: Readonly<Record<string, number>>;
  readonly precision: HloPrecision;
  readonly tile: HloTile;
  readonly unroll: boolean;
  readonly convLayout: ConvLayout;
  readonly dataParallel?: DataParallel;
}

const KNOWN = ['dims', 'precision', 'tile', 'unroll', 'convLayout', 'dataParallel'];

function resolveDataParallel(dp: DataParallel | undefined): DataParallel | undefined {
  if (dp === undefined) return undefined;
  if (!Number.isInteger(dp.devices) || dp.devices < 1) {
    fail('HLO0002', `dataParallel.devices must be a positive integer, got ${JSON.stringify(dp.devices)}`);
  }
  if (!Array.isArray(dp.batchInputs) || dp.batchInputs.some((n) => typeof n !== 'string')) {
    fail('HLO0002', 'dataParallel.batchInputs must be a list of input names');
  }
  return dp.devices === 1 ? undefined : { devices: dp.devices, batchInputs: [...dp.batchInputs] };
}

export function resolveOptions(o: StableHLOOptions = {}): ResolvedOptions {
  for (const key of Object.keys(o)) {
    if (!KNOWN.includes(key)) fail('HLO0002', `unknown StableHLO option '${key}' (options: ${KNOWN.join(', ')})`);
  }
  const precision = o.precision ?? 'f32';
  if (precision !== 'f32' && precision !== 'bf16') {
    fail('HLO0002', `precision must be 'f32' or 'bf16', got ${JSON.stringify(precision)}`);
  }
  const tile = o.tile ?? 'none';
  if (tile !== 'none' && tile !== 'tpu') fail('HLO0002', `tile must be 'none' or 'tpu', got ${JSON.stringify(tile)}`);
  const convLayout = o.convLayout ?? 'nhwc';
  if (convLayout !== 'nchw' && convLayout !== 'nhwc') {
    fail('HLO0002', `convLayout must be 'nchw' or 'nhwc', got ${JSON.stringify(convLayout)}`);
  }
  const dims = o.dims ?? {};
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 1) fail('HLO0002', `dim ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const dataParallel = resolveDataParallel(o.dataParallel);
  return { dims, precision, tile, unroll: o.unroll ?? false, convLayout, ...(dataParallel ? { dataParallel } : {}) };
}
