/**
 * The optimizer part of a compiled training step, shared by the diffusion step (step.ts) and the
 * classifier step (classify.ts): given the weights and their raw gradients inside a step graph, it adds
 * the m/v/[ema]/step inputs and builds optional clipping by global norm, Adam with bias correction
 * (Kingma & Ba 2015, Algorithm 1, t = `step`) and an EMA of the weights with the warm-up
 * d = min(decay, (1 + t)/(10 + t)), as runtime/train/adam.ts does on the host.
 *
 *   inputs added:  m:<path>…, v:<path>…, [ema:<path>…], step, [lr]
 *   results:       w'…, m'…, v'…, [ema'…]  (in the order of `paths`)
 *
 * Every step graph (diffusion, classifier, regression) is `stepOfLoss` of its loss graph: the loss's
 * gradient by the IR autodiff with respect to its `w:<path>` inputs, then this optimizer.
 */
import { fail } from '../core/diagnostics.ts';
import { bindGraphDims, unboundDims } from '../core/ir/bind-dims.ts';
import { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, type Graph, type Node } from '../core/ir/node.ts';
import { inlineGraph } from '../core/ir/rewrite.ts';
import { tensorType } from '../core/ir/types.ts';
import { grad } from '../autodiff/grad.ts';

export interface OptimizerOptions {
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** EMA decay of the weights (e.g. 0.999); absent or 0: no EMA inputs and outputs. */
  readonly emaDecay?: number;
  /** Clip the gradient to this global L2 norm; absent or 0: no clipping. */
  readonly clipNorm?: number;
  /** Read the learning rate from an f32 scalar input `lr` each step (a schedule on the host) instead of the constant `lr`. */
  readonly lrInput?: boolean;
}

/** g·min(1, c/(‖g‖ + 1e-6)) over all gradients together. */
function clipByGlobalNorm(b: GraphBuilder, grads: readonly Node[], c: number): Node[] {
  const squares = grads.map((g) => b.op('sum', [b.op('square', [g])], { axes: tensorOf(g).shape.map((_, i) => i) }));
  const norm = b.op('sqrt', [squares.reduce((acc, q) => b.op('add', [acc, q]))]);
  const scale = b.op('min', [b.scalar(1), b.op('div', [b.scalar(c), b.op('add', [norm, b.scalar(1e-6)])])]);
  return grads.map((g) => b.op('mul', [g, scale]));
}

/** The updated weights, moments and EMA (in that order, each in the order of `paths`) of one Adam step. */
export function adamUpdate(b: GraphBuilder, paths: readonly string[], w: readonly Node[], rawGrads: readonly Node[], opts: OptimizerOptions): Node[] {
  const typeOf = (i: number): ReturnType<typeof tensorOf> => tensorOf(rawGrads[i]);
  const m = paths.map((p, i) => b.param(`m:${p}`, typeOf(i)));
  const v = paths.map((p, i) => b.param(`v:${p}`, typeOf(i)));
  const ema = opts.emaDecay ? paths.map((p, i) => b.param(`ema:${p}`, typeOf(i))) : [];
  const step = b.param('step', tensorType('f32', []));
  const lr = opts.lrInput ? b.param('lr', tensorType('f32', [])) : b.scalar(opts.lr);
  const grads = opts.clipNorm ? clipByGlobalNorm(b, rawGrads, opts.clipNorm) : rawGrads;
  const [b1, b2, eps] = [opts.beta1 ?? 0.9, opts.beta2 ?? 0.999, opts.eps ?? 1e-8];
  const c1 = b.op('sub', [b.scalar(1), b.op('pow', [b.scalar(b1), step])]);
  const c2 = b.op('sub', [b.scalar(1), b.op('pow', [b.scalar(b2), step])]);
  const lin = (k: number, x: Node, y: Node): Node => b.op('add', [b.op('mul', [b.scalar(k), x]), b.op('mul', [b.scalar(1 - k), y])]);
  const m2 = grads.map((gr, i) => lin(b1, m[i], gr));
  const v2 = grads.map((gr, i) => lin(b2, v[i], b.op('square', [gr])));
  const w2 = w.map((wi, i) => {
    const update = b.op('div', [b.op('div', [m2[i], c1]), b.op('add', [b.op('sqrt', [b.op('div', [v2[i], c2])]), b.scalar(eps)])]);
    return b.op('sub', [wi, b.op('mul', [lr, update])]);
  });
  const decay = b.op('min', [b.scalar(opts.emaDecay ?? 0), b.op('div', [b.op('add', [b.scalar(1), step]), b.op('add', [b.scalar(10), step])])]);
  const ema2 = ema.map((e, i) => b.op('add', [b.op('mul', [decay, e]), b.op('mul', [b.op('sub', [b.scalar(1), decay]), w2[i]])]));
  return [...w2, ...m2, ...v2, ...ema2];
}

/** A model's weight nodes by path, in path order (the order of every step's w/m/v/ema inputs and outputs). */
export function weightsOf(model: Graph): Map<string, Node> {
  const out = new Map<string, Node>();
  const visit = (n: Node): void => {
    if (n.op === 'weight') out.set(n.attrs.path as string, n);
    n.inputs.forEach(visit);
  };
  model.outputs.forEach(visit);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `modelGraph` with its symbolic dims bound by `dims` (all of them: a step needs static shapes), and its weight paths. */
export function bindForTraining(modelGraph: Graph, dims: Readonly<Record<string, number>>): { model: Graph; paths: string[] } {
  const model = bindGraphDims(modelGraph, dims);
  const unbound = unboundDims(model);
  if (unbound.length)
    fail('TRN0104', `model @${model.name} has unbound dims ${unbound.join(', ')}: a training step needs static shapes (bind the batch)`);
  const paths = [...weightsOf(model).keys()];
  if (paths.length === 0) fail('TRN0102', `model @${model.name} has no weights to train`);
  return { model, paths };
}

/**
 * The step graph `name` of a loss graph whose first output is the scalar loss and whose inputs include
 * `w:<path>` for each of `paths`: outputs w'…, m'…, v'…, [ema'…], then the loss graph's outputs.
 */
export function stepOfLoss(name: string, loss: Graph, paths: readonly string[], opts: OptimizerOptions): Graph {
  const g = grad(loss, { wrt: paths.map((p) => `w:${p}`) });
  const b = new GraphBuilder(name);
  const inputs = new Map<string, Node>();
  const outs = inlineGraph(b, g.graph, (p) => {
    const node = b.param(p.attrs.name as string, tensorOf(p), p.span);
    inputs.set(p.attrs.name as string, node);
    return node;
  });
  const k = loss.outputs.length;
  const w = paths.map((p) => inputs.get(`w:${p}`)!);
  return b.finish([...adamUpdate(b, paths, w, outs.slice(k), opts), ...outs.slice(0, k)]);
}
