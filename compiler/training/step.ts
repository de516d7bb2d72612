/**
 * The diffusion training step as one graph, compiled like a sampler:
 *
 *   step(w…, m…, v…, [ema…], x0, noise, alpha, sigma, t, [cond…], step) → (w'…, m'…, v'…, [ema'…], loss)
 *
 * x_t = α·x0 + σ·ε; the model (inlined, its weights turned into inputs) predicts ε, x0 or v from
 * (x_t, t, cond…); loss = mean over items of the (optionally SNR-weighted) squared error; its gradient
 * by the IR autodiff (compiler/autodiff); then clipping, Adam and the EMA of optimizer.ts.
 * The noise, the levels and the class labels (with classifier-free dropout applied) come from the host's
 * counter-based Philox streams (runtime/train), so a compiled run draws exactly what the tfjs trainer
 * draws and resumes bit-exactly on one backend.
 */
import type { Prediction } from '../core/artifact.ts';
import { fail } from '../core/diagnostics.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType, type Dim } from '../core/ir/types.ts';
import { bindForTraining, stepOfLoss, weightsOf, type OptimizerOptions } from './optimizer.ts';

/** Loss weighting per item: none, or Min-SNR-γ (Hang et al. 2023): min(SNR, γ)/SNR·(SNR for x0, SNR+1 for v…) folded for ε. */
export type LossWeighting = { readonly kind: 'none' } | { readonly kind: 'min-snr'; readonly gamma: number };

export interface TrainingStepOptions extends OptimizerOptions {
  readonly prediction: Prediction;
  readonly weighting?: LossWeighting;
}

export interface TrainingStep {
  readonly graph: Graph;
  /** Weight paths, the order of the w/m/v/ema inputs and outputs. */
  readonly paths: readonly string[];
  /** The model's conditioning inputs (after x and t), fed as they are. */
  readonly cond: readonly string[];
}

/** [B] → [B, 1, …] against a rank-`rank` item batch. */
const perItem = (b: GraphBuilder, v: Node, rank: number): Node =>
  b.op('reshape', [v], { shape: [tensorOf(v).shape[0], ...Array<number>(rank - 1).fill(1)] });

/** The loss graph: inputs w:<path>…, x0, noise, alpha, sigma, t, cond…; output the scalar loss. */
function lossGraph(model: Graph, paths: readonly string[], opts: TrainingStepOptions): Graph {
  const b = new GraphBuilder(`${model.name}_loss`);
  const [xParam, tParam, ...condParams] = model.params;
  const xType = tensorOf(xParam);
  const batch: Dim = xType.shape[0];
  const leaves = weightsOf(model);
  const w = new Map(paths.map((p) => [p, b.param(`w:${p}`, tensorOf(leaves.get(p)!))]));
  const x0 = b.param('x0', xType);
  const noise = b.param('noise', xType);
  const alpha = b.param('alpha', tensorType('f32', [batch]));
  const sigma = b.param('sigma', tensorType('f32', [batch]));
  const t = b.param('t', tensorOf(tParam));
  const cond = condParams.map((p) => b.param(p.attrs.name as string, tensorOf(p)));
  const rank = xType.shape.length;
  const a = perItem(b, alpha, rank),
    s = perItem(b, sigma, rank);
  const xt = b.op('add', [b.op('mul', [a, x0]), b.op('mul', [s, noise])]);
  const target = opts.prediction === 'eps' ? noise : opts.prediction === 'x0' ? x0 : b.op('sub', [b.op('mul', [a, noise]), b.op('mul', [s, x0])]);
  const inputs = new Map<Node, Node>([[xParam, xt], [tParam, t], ...condParams.map((p, i): [Node, Node] => [p, cond[i]])]);
  const [out] = inlineGraph(
    b,
    model,
    (p) => inputs.get(p)!,
    (n) => (n.op === 'weight' ? w.get(n.attrs.path as string) : undefined),
  );
  const axes = xType.shape.map((_, i) => i);
  let err = b.op('square', [b.op('sub', [out, target])]);
  if (opts.weighting?.kind === 'min-snr') err = b.op('mul', [err, perItem(b, minSnrWeight(b, alpha, sigma, opts), rank)]);
  return b.finish([b.op('mean', [err], { axes })]);
}

/**
 * Min-SNR-γ as a weight on the squared error of each prediction type: ε-error·min(SNR, γ)/SNR,
 * x0-error·min(SNR, γ), v-error·min(SNR, γ)/(SNR + 1) (Hang et al. 2023, Eq. 7 and Table 1).
 */
function minSnrWeight(b: GraphBuilder, alpha: Node, sigma: Node, opts: TrainingStepOptions): Node {
  const gamma = opts.weighting?.kind === 'min-snr' ? opts.weighting.gamma : 0;
  const snr = b.op('div', [b.op('square', [alpha]), b.op('square', [sigma])]);
  const clipped = b.op('min', [snr, b.scalar(gamma)]);
  if (opts.prediction === 'x0') return clipped;
  return b.op('div', [clipped, opts.prediction === 'eps' ? snr : b.op('add', [snr, b.scalar(1)])]);
}

/** The training step graph of `model` with its symbolic dims (the batch B, …) bound by `dims`. */
export function trainingStep(modelGraph: Graph, dims: Readonly<Record<string, number>>, opts: TrainingStepOptions): TrainingStep {
  const { model, paths } = bindForTraining(modelGraph, dims);
  if (model.params.length < 2) fail('TRN0105', `model @${model.name} must take (x, t, …) to be trained`);
  const loss = lossGraph(model, paths, opts);
  const cond = loss.params.slice(paths.length + 5).map((p) => p.attrs.name as string);
  return { graph: stepOfLoss(`${model.name}_train_step`, loss, paths, opts), paths, cond };
}
