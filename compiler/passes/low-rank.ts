/**
 * low-rank — replaces the weight of a linear layer, attention projection or 1×1 conv by two factors
 * of a truncated SVD (approximate; reports its error).
 *
 * Rewrites  %y = matmul(%x, %W)            W [m, n]
 *        →  %y = matmul(matmul(%x, %U), %V)  U = <W>.lowrank_u [m, r], V = <W>.lowrank_v [r, n]
 *           and conv2d(%x, %W[O,C,1,1], %b) → conv2d(conv2d(%x, %U[r,C,1,1]), %V[O,r,1,1], %b).
 *           The rank is fixed (`rank`), or comes from a global FLOP budget (greedy: each step adds
 *           the singular direction holding the most relative energy per FLOP) or, with `energy` > 0,
 *           per layer from an energy threshold. A layer is skipped when no rank saves work:
 *           r(m+n) must stay below mn.
 *           With `activationAware`, ranks and factors minimise the error on calibration inputs
 *           (whitening by the input Gram matrix, compiler/linalg/factorize.ts).
 * Keeps     every other node; the original weights stay valid (factors go to new paths). The
 *           report lists per layer the rank, parameters and FLOPs before/after and the relative
 *           weight error √(Σ_{i≥r} s_i² / Σ s_i²) (activation-weighted when whitened).
 * Leaves    end-to-end error measurement to api/report/approx-report.ts; 3×3 convs untouched.
 */
import { fail } from '../core/diagnostics.ts';
import type { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import { factorsAt, rankForEnergy, spectrum, type Spectrum } from '../linalg/factorize.ts';
import { tensor, type Tensor } from '../core/tensor.ts';
import { matrixSite, rowsOf, weightMatrix, type MatrixSite } from '../linalg/layers.ts';
import { leafValue, WeightSink } from '../linalg/leaves.ts';
import { matrix, toFloat32, transpose } from '../linalg/matrix.ts';
import { boundType, levels, nodeFlops, type Dims } from '../report/graph-stats.ts';
import { makeReport, type CompressionContext, type LayerChange, type SkippedLayer } from '../report/types.ts';
import { definePass, type PassContext, type PassResult } from './pass.ts';

const PASS = 'low-rank';

type Options = {
  rank: number;
  budget: number;
  energy: number;
  minSize: number;
  include: string;
  exclude: string;
  activationAware: boolean;
};

/** One weight, possibly used by several sites (a layer called twice, or in two regions). */
interface Layer {
  readonly site: MatrixSite;
  readonly sites: MatrixSite[];
  /** FLOPs per run of the graph: dense, and per unit of rank after factorising. */
  dense: number;
  perRank: number;
  /** FLOPs of the sites as the registry counts them (bias included). */
  measured: number;
  biasFlops: number;
  spec?: Spectrum;
  rMax: number;
  rank?: number;
  /** The two factors as stored (computed once, shared by every site). */
  factors?: [Tensor<Float32Array>, Tensor<Float32Array>];
}

/** Largest r with r·(m+n) < m·n: beyond it the two factors cost more than W. */
export function maxUsefulRank(m: number, n: number): number {
  return Math.ceil((m * n) / (m + n)) - 1;
}

function collectLayers(graph: Graph, dims: Dims, opts: Options): { layers: Map<string, Layer>; skipped: SkippedLayer[] } {
  const layers = new Map<string, Layer>();
  const skipped = new Map<string, string>();
  const include = opts.include ? new RegExp(opts.include) : undefined;
  const exclude = opts.exclude ? new RegExp(opts.exclude) : undefined;
  for (const { graph: level, mult } of levels(graph)) {
    for (const node of topoOrder(level)) {
      const site = matrixSite(node);
      if (!site) continue;
      const { m, n, key } = site;
      const why =
        include && !include.test(key)
          ? 'not matched by include'
          : exclude?.test(key)
            ? 'matched by exclude'
            : m * n < opts.minSize
              ? `${m}×${n} is below minSize ${opts.minSize}`
              : maxUsefulRank(m, n) < 1
                ? `${m}×${n}: no rank r < mn/(m+n) saves work`
                : undefined;
      if (why) {
        skipped.set(key, why);
        continue;
      }
      const out = boundType(tensorOf(node), dims).shape as number[];
      const rows = rowsOf(site, out) * mult;
      const hasBias = node.inputs.length > 2;
      const layer = layers.get(key) ?? { site, sites: [], dense: 0, perRank: 0, measured: 0, biasFlops: 0, rMax: maxUsefulRank(m, n) };
      layer.sites.push(site);
      layer.dense += 2 * rows * m * n;
      layer.perRank += 2 * rows * (m + n);
      layer.biasFlops += hasBias ? rows * n : 0;
      layer.measured += nodeFlops(node, dims) * mult;
      layers.set(key, layer);
    }
  }
  return { layers, skipped: [...skipped].filter(([k]) => !layers.has(k)).map(([layer, reason]) => ({ layer, reason })) };
}

/**
 * Greedy allocation under a FLOP budget: every layer starts at rank 1; then singular directions are
 * added in order of relative energy s_i²/Σs² per FLOP until `budget`·(dense FLOPs) is spent.
 */
export function allocateRanks(layers: readonly { s: Float64Array; perRank: number; dense: number; rMax: number }[], budget: number): number[] {
  const ranks = layers.map(() => 1);
  const limit = budget * layers.reduce((t, l) => t + l.dense, 0);
  let spent = layers.reduce((t, l) => t + l.perRank, 0);
  const candidates: { l: number; i: number; score: number }[] = [];
  layers.forEach((layer, l) => {
    const total = layer.s.reduce((t, x) => t + x * x, 0) || 1;
    for (let i = 1; i < layer.rMax; i++) candidates.push({ l, i, score: layer.s[i] ** 2 / total / layer.perRank });
  });
  candidates.sort((a, b) => b.score - a.score || a.i - b.i);
  for (const { l, i } of candidates) {
    if (ranks[l] !== i || spent + layers[l].perRank > limit) continue;
    ranks[l]++;
    spent += layers[l].perRank;
  }
  return ranks;
}

function chooseRanks(layers: Layer[], opts: Options, skipped: SkippedLayer[]): void {
  if (opts.rank > 0) {
    for (const layer of layers) layer.rank = Math.min(opts.rank, layer.rMax);
    return;
  }
  if (opts.energy > 0) {
    for (const layer of layers) {
      const r = rankForEnergy(layer.spec!.dec.s, opts.energy);
      if (r <= layer.rMax) layer.rank = r;
      else skipped.push({ layer: layer.site.key, reason: `energy ${opts.energy} needs rank ${r} >= mn/(m+n) (max useful ${layer.rMax})` });
    }
    return;
  }
  const ranks = allocateRanks(
    layers.map((l) => ({ s: l.spec!.dec.s, perRank: l.perRank, dense: l.dense, rMax: l.rMax })),
    opts.budget,
  );
  layers.forEach((l, i) => {
    l.rank = ranks[i];
  });
}

function tailError(s: Float64Array, r: number): number {
  let tail = 0,
    total = 0;
  s.forEach((x, i) => {
    total += x * x;
    if (i >= r) tail += x * x;
  });
  return total > 0 ? Math.sqrt(tail / total) : 0;
}

/** The two factors of a layer, in the layout its kind stores them. */
function factorArrays(layer: Layer): [Tensor<Float32Array>, Tensor<Float32Array>] {
  if (layer.factors) return layer.factors;
  const { site } = layer;
  const r = layer.rank!;
  const f = factorsAt(layer.spec!, r);
  layer.factors =
    site.kind === 'linear'
      ? [tensor([site.m, r], toFloat32(f.a)), tensor([r, site.n], toFloat32(f.b))]
      : [tensor([r, site.m, 1, 1], toFloat32(transpose(f.a))), tensor([site.n, r, 1, 1], toFloat32(transpose(f.b)))];
  return layer.factors;
}

function factorLeaves(layer: Layer, b: GraphBuilder, sink: WeightSink): [Node, Node] {
  const [u, v] = factorArrays(layer);
  const { weight, key } = layer.site;
  return [sink.leaf(b, weight, `${key}.lowrank_u`, u), sink.leaf(b, weight, `${key}.lowrank_v`, v)];
}

function emit(site: MatrixSite, inputs: Node[], [u, v]: [Node, Node], b: GraphBuilder): Node {
  const { node } = site;
  if (site.kind === 'linear') {
    const first = b.op('matmul', [inputs[0], u], { transposeA: node.attrs.transposeA }, node.span);
    return b.op('matmul', [first, v], {}, node.span);
  }
  const { stride, pad, dilation } = node.attrs;
  const first = b.op('conv2d', [inputs[0], u], { stride, pad, dilation }, node.span);
  return b.op('conv2d', inputs.length > 2 ? [first, v, inputs[2]] : [first, v], {}, node.span);
}

function layerChange(layer: Layer): LayerChange {
  const { m, n, key, kind } = layer.site;
  const r = layer.rank!;
  return {
    layer: key,
    kind,
    detail: `rank ${r} of ${Math.min(m, n)} (max useful ${layer.rMax})`,
    paramsBefore: m * n,
    paramsAfter: r * (m + n),
    flopsBefore: layer.measured,
    flopsAfter: layer.perRank * r + layer.biasFlops,
    weightError: tailError(layer.spec!.dec.s, r),
  };
}

function checkOptions(opts: Options, ctx: CompressionContext): void {
  if (!(Number.isInteger(opts.rank) && opts.rank >= 0)) fail('CPR0104', `${PASS}: rank must be an integer >= 0 (0 = choose), got ${opts.rank}`);
  if (!(opts.budget > 0 && opts.budget <= 1)) fail('CPR0101', `${PASS}: budget must be in (0, 1], got ${opts.budget}`);
  if (!(opts.energy >= 0 && opts.energy <= 1)) fail('CPR0102', `${PASS}: energy must be in [0, 1] (0 = use the budget), got ${opts.energy}`);
  if (opts.activationAware && !ctx.calibration) {
    fail('CPR0103', `${PASS}: activationAware needs calibration statistics in the pass context (collectCalibration in api/report/calibrate.ts)`);
  }
}

/** Spectra of every layer: of W, or of Lᵀ·W when calibration statistics exist for it. */
function computeSpectra(layers: Layer[], ctx: CompressionContext, opts: Options, notes: string[]): void {
  for (const layer of layers) {
    const w = weightMatrix(layer.site, leafValue(layer.site.weight, ctx, PASS));
    const stats = opts.activationAware ? ctx.calibration?.inputGram.get(layer.site.key) : undefined;
    if (opts.activationAware && !stats) notes.push(`${layer.site.key}: no calibration statistics, plain SVD used`);
    layer.spec = spectrum(w, stats && stats.dim === layer.site.m ? matrix(stats.dim, stats.dim, stats.gram) : undefined);
  }
}

export const lowRank = definePass<Options>({
  name: PASS,
  summary: 'Factorise linear / 1x1-conv / attention-projection weights by truncated SVD (approximate)',
  options: {
    rank: { default: 0, help: 'if > 0, this rank for every layer (capped at the largest useful rank)' },
    budget: { default: 0.5, help: "fraction of the eligible layers' FLOPs to keep; ranks allocated globally" },
    energy: { default: 0, help: 'if > 0, per-layer rank keeping this fraction of Σs² (instead of the budget)' },
    minSize: { default: 1024, help: 'skip weights with fewer elements (m·n)' },
    include: { default: '', help: 'regex: only weight paths that match' },
    exclude: { default: '', help: 'regex: skip weight paths that match' },
    activationAware: { default: false, help: 'whiten by calibration input statistics (ctx.calibration)' },
  },
  run(graph, opts, context: PassContext): PassResult {
    const ctx = context as CompressionContext;
    checkOptions(opts, ctx);
    const { layers: byKey, skipped } = collectLayers(graph, ctx.dims ?? {}, opts);
    const layers = [...byKey.values()];
    const notes: string[] = [];
    computeSpectra(layers, ctx, opts, notes);
    chooseRanks(layers, opts, skipped);
    const chosen = layers.filter((l) => l.rank !== undefined);
    if (chosen.length === 0) {
      return { graph, changed: false, stats: { layers: 0 }, report: makeReport(PASS, false, [], skipped, notes) };
    }
    const sink = new WeightSink(ctx.weights);
    const bySite = new Map(chosen.flatMap((l) => l.sites.map((s) => [s.node, l] as const)));
    const out = rewriteGraph(graph, (node, inputs, b) => {
      const layer = bySite.get(node);
      return layer ? emit(matrixSite(node)!, inputs, factorLeaves(layer, b, sink), b) : undefined;
    });
    const report = makeReport(PASS, false, chosen.map(layerChange), skipped, notes);
    return {
      graph: out,
      changed: true,
      weights: sink.values,
      report,
      stats: {
        layers: chosen.length,
        paramsBefore: report.total.paramsBefore,
        paramsAfter: report.total.paramsAfter,
        flopsBefore: report.total.flopsBefore,
        flopsAfter: report.total.flopsAfter,
      },
    };
  },
});
