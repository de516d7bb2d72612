/**
 * The diffusion training step as one graph, compiled like a sampler:
 *
 *   step(w…, m…, v…, [ema…], x0, noise, alpha, sigma, t, [cond…], step) → (w'…, m'…, v'…, [ema'…], loss)
 *
 * x_t = α·x0 + σ·ε; the model (inlined, its weights turned into inputs) predicts ε, x0 or v from
 * (x_t, t, cond…); loss = mean over items of the (optionally SNR-weighted) squared error; its gradient
 * by the IR autodiff (compiler/autodiff); optional clipping by global norm; Adam with bias correction
 * (Kingma & Ba 2015, Algorithm 1, t = `step`); an EMA of the weights with the warm-up
 * d = min(decay, (1 + t)/(10 + t)), as runtime/train/adam.ts does on the host.
 * The noise, the levels and the class labels (with classifier-free dropout applied) come from the host's
 * counter-based Philox streams (runtime/train), so a compiled run draws exactly what the tfjs trainer
 * draws and resumes bit-exactly on one backend.
 */
import type { Prediction } from '../core/artifact.ts';
import { fail } from '../core/diagnostics.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { bindGraphDims, unboundDims } from '../core/ir/bind-dims.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType, type Dim } from '../core/ir/types.ts';
import { grad } from '../autodiff/grad.ts';

/** Loss weighting per item: none, or Min-SNR-γ (Hang et al. 2023): min(SNR, γ)/SNR·(SNR for x0, SNR+1 for v…) folded for ε. */
export type LossWeighting = { readonly kind: 'none' } | { readonly kind: 'min-snr'; readonly gamma: number };

export interface TrainingStepOptions {
  readonly prediction: Prediction;
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** EMA decay of the weights (e.g. 0.999); absent or 0: no EMA inputs and outputs. */
  readonly emaDecay?: number;
  /** Clip the gradient to this global L2 norm; absent or 0: no clipping. */
  readonly clipNorm?: number;
  readonly weighting?: LossWeighting;
}

export interface TrainingStep {
  readonly graph: Graph;
  /** Weight paths, the order of the w/m/v/ema inputs and outputs. */
  readonly paths: readonly string[];
  /** The model's conditioning inputs (after x and t), fed as they are. */
  readonly cond: readonly string[];
}

const weightsOf = (model: Graph): Map<string, Node> => {
  const out = new Map<string, Node>();
  const visit = (n: Node): void => {
    if (n.op === 'weight') out.set(n.attrs.path as string, n);
    n.inputs.forEach(visit);
  };
  model.outputs.forEach(visit);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
};

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

/** g·min(1, c/(‖g‖ + 1e-6)) over all gradients together. */
function clipByGlobalNorm(b: GraphBuilder, grads: readonly Node[], c: number): Node[] {
  const squares = grads.map((g) => b.op('sum', [b.op('square', [g])], { axes: tensorOf(g).shape.map((_, i) => i) }));
  const norm = b.op('sqrt', [squares.reduce((acc, q) => b.op('add', [acc, q]))]);
  const scale = b.op('min', [b.scalar(1), b.op('div', [b.scalar(c), b.op('add', [norm, b.scalar(1e-6)])])]);
  return grads.map((g) => b.op('mul', [g, scale]));
}

/** The training step graph of `model` with its symbolic dims (the batch B, …) bound by `dims`. */
export function trainingStep(modelGraph: Graph, dims: Readonly<Record<string, number>>, opts: TrainingStepOptions): TrainingStep {
  const model = bindGraphDims(modelGraph, dims);
  const unbound = unboundDims(model);
  if (unbound.length)
    fail('TRN0104', `model @${model.name} has unbound dims ${unbound.join(', ')}: a training step needs static shapes (bind the batch)`);
  if (model.params.length < 2) fail('TRN0105', `model @${model.name} must take (x, t, …) to be trained`);
  const paths = [...weightsOf(model).keys()];
  if (paths.length === 0) fail('TRN0102', `model @${model.name} has no weights to train`);
  const loss = lossGraph(model, paths, opts);
  const g = grad(loss, { wrt: paths.map((p) => `w:${p}`) });
  const b = new GraphBuilder(`${model.name}_train_step`);
  const inputs = new Map<string, Node>();
  const [lossOut, ...rawGrads] = inlineGraph(b, g.graph, (p) => {
    const node = b.param(p.attrs.name as string, tensorOf(p), p.span);
    inputs.set(p.attrs.name as string, node);
    return node;
  });
  const typeOf = (i: number): ReturnType<typeof tensorOf> => tensorOf(rawGrads[i]);
  const m = paths.map((p, i) => b.param(`m:${p}`, typeOf(i)));
  const v = paths.map((p, i) => b.param(`v:${p}`, typeOf(i)));
  const ema = opts.emaDecay ? paths.map((p, i) => b.param(`ema:${p}`, typeOf(i))) : [];
  const step = b.param('step', tensorType('f32', []));
  const w = paths.map((p) => inputs.get(`w:${p}`)!);
  const grads = opts.clipNorm ? clipByGlobalNorm(b, rawGrads, opts.clipNorm) : rawGrads;
  const [b1, b2, eps] = [opts.beta1 ?? 0.9, opts.beta2 ?? 0.999, opts.eps ?? 1e-8];
  const c1 = b.op('sub', [b.scalar(1), b.op('pow', [b.scalar(b1), step])]);
  const c2 = b.op('sub', [b.scalar(1), b.op('pow', [b.scalar(b2), step])]);
  const lin = (k: number, x: Node, y: Node): Node => b.op('add', [b.op('mul', [b.scalar(k), x]), b.op('mul', [b.scalar(1 - k), y])]);
  const m2 = grads.map((gr, i) => lin(b1, m[i], gr));
  const v2 = grads.map((gr, i) => lin(b2, v[i], b.op('square', [gr])));
  const w2 = w.map((wi, i) => {
    const update = b.op('div', [b.op('div', [m2[i], c1]), b.op('add', [b.op('sqrt', [b.op('div', [v2[i], c2])]), b.scalar(eps)])]);
    return b.op('sub', [wi, b.op('mul', [b.scalar(opts.lr), update])]);
  });
  const decay = b.op('min', [b.scalar(opts.emaDecay ?? 0), b.op('div', [b.op('add', [b.scalar(1), step]), b.op('add', [b.scalar(10), step])])]);
  const ema2 = ema.map((e, i) => b.op('add', [b.op('mul', [decay, e]), b.op('mul', [b.op('sub', [b.scalar(1), decay]), w2[i]])]));
  const cond = loss.params.slice(paths.length + 5).map((p) => p.attrs.name as string);
  return { graph: b.finish([...w2, ...m2, ...v2, ...ema2, lossOut]), paths, cond };
}
