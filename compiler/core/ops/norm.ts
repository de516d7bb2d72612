/**
 * Normalisations: group_norm (Wu & He 2018), layer_norm over the last axis, batch_norm in inference
 * form. All use population variance and y = (x − mean)/√(var + eps)·gamma + beta.
 * Fusion kind `reduction`; FLOPs are counted as 8 per element (statistics plus the affine step).
 */
import { tensorOf, type Node } from '../ir/node.ts';
import { formatShape, type Dim, type TensorType } from '../ir/types.ts';
import { attrInt, perElementCost, requireFloat, requireSameDtype, staticDim } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

const NORM_FLOPS_PER_ELEM = 8;

// Reverse mode: each norm is differentiated through its definition in primitive ops (the same
// population moments and y = (x − mean)·rsqrt(var + eps)·gamma + beta as the reference kernels).

/** (x − mean)·rsqrt(var + eps) over `axes` (kept). */
function normalized(g: VjpBuilder, x: Node, axes: readonly number[], eps: number): Node {
  const mean = g.op('mean', [x], { axes, keepdims: true });
  const variance = g.op('variance', [x], { axes, keepdims: true });
  return g.op('mul', [g.op('sub', [x, mean]), g.op('rsqrt', [g.op('add', [variance, g.scalar(eps)])])]);
}

/** A per-channel vector [C] as [1, C, 1, ...] against x's rank. */
function perChannel(g: VjpBuilder, v: Node, x: Node): Node {
  const rank = tensorOf(x).shape.length;
  return g.op('reshape', [v], { shape: [1, tensorOf(v).shape[0], ...Array<number>(rank - 2).fill(1)] });
}

function groupNormForward(g: VjpBuilder, node: Node) {
  return (x: Node, gamma: Node, beta: Node): Node => {
    const shape = tensorOf(x).shape;
    const groups = attrInt(node.attrs, 'groups');
    const per = shape.slice(1).reduce<number>((p, d, i) => p * staticDim(d, `axis ${i + 1}`), 1) / groups;
    const grouped = g.op('reshape', [x], { shape: [shape[0], groups, per] });
    const y = g.op('reshape', [normalized(g, grouped, [2], node.attrs.eps as number)], { shape });
    return g.op('add', [g.op('mul', [y, perChannel(g, gamma, x)]), perChannel(g, beta, x)]);
  };
}

function layerNormForward(g: VjpBuilder, node: Node) {
  return (x: Node, gamma?: Node, beta?: Node): Node => {
    let y = normalized(g, x, [tensorOf(x).shape.length - 1], node.attrs.eps as number);
    if (gamma) y = g.op('mul', [y, gamma]);
    return beta ? g.op('add', [y, beta]) : y;
  };
}

function batchNormForward(g: VjpBuilder, node: Node) {
  return (x: Node, mean: Node, variance: Node, gamma: Node, beta: Node): Node => {
    const scale = g.op('mul', [
      perChannel(g, gamma, x),
      g.op('rsqrt', [g.op('add', [perChannel(g, variance, x), g.scalar(node.attrs.eps as number)])]),
    ]);
    return g.op('add', [g.op('mul', [g.op('sub', [x, perChannel(g, mean, x)]), scale]), perChannel(g, beta, x)]);
  };
}

/** Each per-channel operand must be exactly [c]. */
function requireVector(t: TensorType, c: Dim, what: string, x: TensorType): void {
  shapeCheck(t.shape.length === 1 && t.shape[0] === c, () => `${what} ${formatShape(t.shape)} must be [${c}] to match input ${formatShape(x.shape)}`);
  requireSameDtype(x, t, `input and ${what}`);
}

function requireChannels(x: TensorType): void {
  shapeCheck(x.shape.length >= 2, () => `input must be [N,C,...] (rank >= 2), got ${formatShape(x.shape)}`);
  requireFloat(x, 'input');
}

defineOp({
  name: 'group_norm',
  summary: 'normalises each of `groups` channel groups over (channels in group × spatial), per sample',
  attrs: { groups: { kind: 'int' }, eps: { kind: 'float', default: 1e-5 } },
  arity: 3,
  fusion: 'reduction',
  inferType: ([x, gamma, beta], a) => {
    requireChannels(x);
    const groups = attrInt(a, 'groups');
    const c = staticDim(x.shape[1], 'input channels C');
    shapeCheck(groups >= 1 && c % groups === 0, () => `${c} channels cannot be split into ${groups} groups`);
    requireVector(gamma, c, 'gamma', x);
    requireVector(beta, c, 'beta', x);
    return x;
  },
  cost: perElementCost(NORM_FLOPS_PER_ELEM),
  vjp: (g, node, dy) => g.through(groupNormForward(g, node), node.inputs, dy),
});

defineOp({
  name: 'layer_norm',
  summary: 'normalises the last axis; optional gamma [D] and beta [D]',
  attrs: { eps: { kind: 'float', default: 1e-5 } },
  arity: [1, 3],
  fusion: 'reduction',
  inferType: ([x, gamma, beta]) => {
    shapeCheck(x.shape.length >= 1, 'input must have at least one axis');
    requireFloat(x, 'input');
    const d = x.shape[x.shape.length - 1];
    if (gamma) requireVector(gamma, d, 'gamma', x);
    if (beta) requireVector(beta, d, 'beta', x);
    return x;
  },
  cost: perElementCost(NORM_FLOPS_PER_ELEM),
  vjp: (g, node, dy) => g.through(layerNormForward(g, node), node.inputs, dy),
});

defineOp({
  name: 'batch_norm',
  summary: 'inference batch norm with running mean and var per channel (axis 1)',
  attrs: { eps: { kind: 'float', default: 1e-5 } },
  arity: 5,
  fusion: 'reduction',
  inferType: ([x, mean, variance, gamma, beta]) => {
    requireChannels(x);
    const c = x.shape[1];
    requireVector(mean, c, 'mean', x);
    requireVector(variance, c, 'var', x);
    requireVector(gamma, c, 'gamma', x);
    requireVector(beta, c, 'beta', x);
    return x;
  },
  cost: perElementCost(NORM_FLOPS_PER_ELEM),
  vjp: (g, node, dy) => g.through(batchNormForward(g, node), node.inputs, dy),
});
