/**
 * Normalisations: group_norm (Wu & He 2018), layer_norm over the last axis, batch_norm in inference
 * form. All use population variance and y = (x − mean)/√(var + eps)·gamma + beta.
 * Fusion kind `reduction`; FLOPs are counted as 8 per element (statistics plus the affine step).
 */
import { formatShape, type Dim, type TensorType } from '../ir/types.ts';
import { attrInt, perElementCost, requireFloat, requireSameDtype, staticDim } from './common.ts';
import { defineOp, shapeCheck } from './registry.ts';

const NORM_FLOPS_PER_ELEM = 8;

/** Each per-channel operand must be exactly [c]. */
function requireVector(t: TensorType, c: Dim, what: string, x: TensorType): void {
  shapeCheck(t.shape.length === 1 && t.shape[0] === c,
    () => `${what} ${formatShape(t.shape)} must be [${c}] to match input ${formatShape(x.shape)}`);
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
});
