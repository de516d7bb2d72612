/**
 * fold-batchnorm — folds inference BatchNorm and per-channel affine ops into the conv/linear before them.
 *
 * Rewrites  %y = batch_norm(conv2d(%x, %w, %b), %mean, %var, %gamma, %beta)
 *        →  %y = conv2d(%x, %w', %b')   with w' = w·k, b' = (b − mean)·k + beta, k = gamma/√(var+eps)
 *           and likewise any chain of mul / div / add / sub by per-channel leaves (weights or
 *           constants whose only non-1 dim is the channel axis) after conv2d, or after matmul(%x, %W)
 *           with W a [in, out] leaf (the chain's adds become the bias: add(matmul(%x, %W'), %b')).
 * Keeps     outputs exactly up to float rounding (the affine map is composed in f64, rounded once).
 *           Every folded node except the last must have a single use; the last may have many.
 *           The original weights stay valid: folded values go to new paths `<w>.folded`,
 *           `<w>.folded_bias`, returned in PassResult.weights.
 * Leaves    dead leaves to the graph (unreachable nodes vanish on rebuild); per-token affine ops on
 *           [B, L, D] activations other than on the last axis are not per-channel and stay.
 */
import type { GraphBuilder } from '../core/ir/builder.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { rewriteGraph } from '../core/ir/rewrite.ts';
import { sameShape } from '../core/ir/types.ts';
import { tensor } from '../core/tensor.ts';
import { scaleAlongAxis } from '../linalg/host-tensor.ts';
import { isValueLeaf, leafName, leafValue, WeightSink } from '../linalg/leaves.ts';
import { boundType, frequencies, levels, nodeFlops, singleUsers, type Dims } from '../report/graph-stats.ts';
import { makeReport, type LayerChange } from '../report/types.ts';
import { definePass, type PassContext } from './pass.ts';

const PASS = 'fold-batchnorm';

/** A conv2d or [in, out] matmul whose weight is a leaf: the layer the affine chain folds into. */
interface Producer {
  readonly node: Node;
  readonly kind: 'conv' | 'linear';
  readonly weight: Node;
  readonly bias?: Node;
  /** Axis of the layer's output that holds its channels. */
  readonly axis: number;
}

/** The composed map y = s·z + t per output channel, z the bias-free layer output. */
interface Affine {
  s: Float64Array;
  t: Float64Array;
}

interface Plan {
  readonly producer: Producer;
  readonly steps: readonly Node[];
  readonly affine: Affine;
}

function producerOf(node: Node): Producer | undefined {
  if (node.op === 'conv2d' && isValueLeaf(node.inputs[1]) && (!node.inputs[2] || isValueLeaf(node.inputs[2]))) {
    return { node, kind: 'conv', weight: node.inputs[1], bias: node.inputs[2], axis: 1 };
  }
  if (node.op === 'matmul' && !node.attrs.transposeB && isValueLeaf(node.inputs[1]) && tensorOf(node.inputs[1]).shape.length === 2) {
    return { node, kind: 'linear', weight: node.inputs[1], axis: tensorOf(node).shape.length - 1 };
  }
  return undefined;
}

/**
 * The per-channel values of `leaf` against an output of `cur`'s type, or undefined when the leaf
 * varies along another axis (or would change the output's shape by broadcasting).
 */
function channelValues(leaf: Node, cur: Node, axis: number, ctx: PassContext): Float64Array | undefined {
  if (!isValueLeaf(leaf)) return undefined;
  const out = tensorOf(cur).shape,
    ls = tensorOf(leaf).shape as number[];
  const channels = out[axis];
  if (typeof channels !== 'number' || ls.length > out.length) return undefined;
  const offset = out.length - ls.length;
  const varies = ls.findIndex((d, j) => d !== 1 && !(j + offset === axis && d === channels));
  if (varies >= 0) return undefined;
  const data = leafValue(leaf, ctx, PASS).data;
  return Float64Array.from({ length: channels }, (_, c) => (data.length === 1 ? data[0] : data[c]));
}

/** Applies one chain node to the affine map; false when the node is not a foldable step. */
function absorb(step: Node, cur: Node, p: Producer, a: Affine, ctx: PassContext): boolean {
  if (!sameShape(tensorOf(step).shape, tensorOf(cur).shape)) return false;
  if (step.op === 'batch_norm') {
    if (step.inputs[0] !== cur || p.axis !== 1) return false;
    // batch_norm's operands are [C] vectors by the op's definition, not broadcast operands.
    const [mean, variance, gamma, beta] = step.inputs.slice(1).map((l) => (isValueLeaf(l) ? leafValue(l, ctx, PASS).data : undefined));
    if (!mean || !variance || !gamma || !beta) return false;
    const eps = step.attrs.eps as number;
    for (let c = 0; c < a.s.length; c++) {
      const k = gamma[c] / Math.sqrt(variance[c] + eps);
      a.s[c] *= k;
      a.t[c] = (a.t[c] - mean[c]) * k + beta[c];
    }
    return true;
  }
  const other = step.inputs[0] === cur ? step.inputs[1] : step.inputs[0];
  const curFirst = step.inputs[0] === cur;
  if (step.inputs.length !== 2 || step.inputs[0] === step.inputs[1]) return false;
  const v = channelValues(other, cur, p.axis, ctx);
  if (!v) return false;
  const apply: Record<string, ((c: number) => void) | undefined> = {
    mul: (c) => {
      a.s[c] *= v[c];
      a.t[c] *= v[c];
    },
    div: curFirst
      ? (c) => {
          a.s[c] /= v[c];
          a.t[c] /= v[c];
        }
      : undefined,
    add: (c) => {
      a.t[c] += v[c];
    },
    sub: curFirst
      ? (c) => {
          a.t[c] -= v[c];
        }
      : (c) => {
          a.s[c] = -a.s[c];
          a.t[c] = v[c] - a.t[c];
        },
  };
  const f = apply[step.op];
  if (!f) return false;
  for (let c = 0; c < a.s.length; c++) f(c);
  return true;
}

/** Follows single-use nodes from a producer while they fold; undefined when nothing would change. */
function planFrom(p: Producer, single: Map<Node, Node>, ctx: PassContext): Plan | undefined {
  const channels = tensorOf(p.node).shape[p.axis];
  if (typeof channels !== 'number') return undefined;
  const affine: Affine = { s: new Float64Array(channels).fill(1), t: new Float64Array(channels) };
  if (p.bias)
    leafValue(p.bias, ctx, PASS).data.forEach((x, c) => {
      affine.t[c] = x;
    });
  const steps: Node[] = [];
  for (let cur = p.node, next = single.get(cur); next && absorb(next, cur, p, affine, ctx); cur = next, next = single.get(cur)) {
    steps.push(next);
  }
  // A linear layer followed by its own bias add alone is already in folded form.
  const useful = p.kind === 'conv' ? steps.length > 0 : steps.length > 1 || (steps.length === 1 && steps[0].op !== 'add');
  return useful ? { producer: p, steps, affine } : undefined;
}

function buildFolded(plan: Plan, x: Node, b: GraphBuilder, sink: WeightSink, ctx: PassContext): Node {
  const { producer: p, affine } = plan;
  const w = leafValue(p.weight, ctx, PASS);
  const scaled = scaleAlongAxis(w, p.kind === 'conv' ? 0 : 1, affine.s);
  const base = leafName(p.weight);
  const weight = sink.leaf(b, p.weight, `${base}.folded`, scaled);
  const last = plan.steps[plan.steps.length - 1];
  const bias = hasBias(plan) ? sink.leaf(b, p.weight, `${base}.folded_bias`, tensor([affine.t.length], Float32Array.from(affine.t))) : undefined;
  if (p.kind === 'conv') return b.op('conv2d', bias ? [x, weight, bias] : [x, weight], p.node.attrs, last.span);
  const mm = b.op('matmul', [x, weight], p.node.attrs, bias ? p.node.span : last.span);
  return bias ? b.op('add', [mm, bias], {}, last.span) : mm;
}

/** A pure scaling chain (t = 0 everywhere) needs no bias. */
function hasBias(plan: Plan): boolean {
  return plan.affine.t.some((x) => x !== 0);
}

function layerChange(plan: Plan, freq: number, dims: Dims): LayerChange {
  const { producer: p, steps, affine } = plan;
  const leaves = new Set([p.weight, p.bias, ...steps.flatMap((s) => s.inputs.filter(isValueLeaf))]);
  const size = (n: Node | undefined): number => (n ? (tensorOf(n).shape as number[]).reduce((q, d) => q * d, 1) : 0);
  const outElems = (boundType(tensorOf(p.node), dims).shape as number[]).reduce((q, d) => q * d, 1);
  const layerFlops = nodeFlops(p.node, dims);
  const stepFlops = steps.reduce((s, n) => s + nodeFlops(n, dims), 0);
  // conv2d counts its bias in its own cost; a linear layer's bias is a separate add.
  const addedBias = hasBias(plan) && !p.bias ? outElems : 0;
  return {
    layer: leafName(p.weight),
    kind: steps.some((s) => s.op === 'batch_norm') ? 'batch_norm' : 'affine',
    detail: `folded ${steps.map((s) => s.op).join(', ')} into ${p.node.op}`,
    paramsBefore: [...leaves].reduce((s, n) => s + size(n), 0),
    paramsAfter: size(p.weight) + (hasBias(plan) ? affine.t.length : 0),
    flopsBefore: freq * (layerFlops + stepFlops),
    flopsAfter: freq * (layerFlops + addedBias),
    weightError: 0,
  };
}

function findPlans(graph: Graph, ctx: PassContext): Map<Node, Plan> {
  const single = singleUsers(graph);
  const plans = new Map<Node, Plan>();
  for (const { graph: level } of levels(graph)) {
    for (const node of topoOrder(level)) {
      const p = producerOf(node);
      const plan = p && planFrom(p, single, ctx);
      if (plan) plans.set(plan.steps[plan.steps.length - 1], plan);
    }
  }
  return plans;
}

export const foldBatchnorm = definePass({
  name: PASS,
  summary: 'Fold inference BatchNorm and per-channel affine ops into the preceding conv/linear',
  options: {},
  run(graph, _opts, ctx) {
    const plans = findPlans(graph, ctx);
    if (plans.size === 0) {
      return { graph, changed: false, stats: { layers: 0, foldedOps: 0 }, report: makeReport(PASS, true, []) };
    }
    const producers = new Map([...plans.values()].map((p) => [p.producer.node, p]));
    const rebuiltX = new Map<Plan, Node>();
    const sink = new WeightSink(ctx.weights);
    const out = rewriteGraph(graph, (node, inputs, b) => {
      const asProducer = producers.get(node);
      if (asProducer) rebuiltX.set(asProducer, inputs[0]);
      const plan = plans.get(node);
      return plan ? buildFolded(plan, rebuiltX.get(plan)!, b, sink, ctx) : undefined;
    });
    const freq = frequencies(graph);
    const dims = ctx.dims ?? {};
    const layers = [...plans.values()].map((p) => layerChange(p, freq.get(p.producer.node) ?? 1, dims));
    const foldedOps = [...plans.values()].reduce((s, p) => s + p.steps.length, 0);
    return {
      graph: out,
      changed: true,
      weights: sink.values,
      stats: { layers: plans.size, foldedOps },
      report: makeReport(PASS, true, layers),
    };
  },
});
