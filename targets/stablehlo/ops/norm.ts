/**
 * Lowerings of the normalisations: group_norm, layer_norm, batch_norm.
 * Statistics use population variance, two-pass, in the same order as the reference kernels:
 * y = (x − mean)·rsqrt(var + eps)·gamma + beta.
 */
import { broadcastTo, channelBroadcast, full, lower, normalize, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import type { Value } from '../writer.ts';

/** Per-sample statistics over (channels of a group × spatial): reshape to [N, G, rest] and reduce axis 2. */
function groupNorm({ w, inputs, attrs }: LowerCtx): Value {
  const [x, gamma, beta] = inputs;
  const shape = x.type.shape;
  const groups = attrs.groups as number;
  const rest = shape.slice(1).reduce((p, d) => p * d, 1) / groups;
  const grouped = w.reshape(x, [shape[0], groups, rest]);
  const y = w.reshape(normalize(w, grouped, [2], attrs.eps as number), shape);
  return w.binary('add', w.binary('multiply', y, channelBroadcast(w, gamma, shape)), channelBroadcast(w, beta, shape));
}

function layerNorm({ w, inputs, attrs }: LowerCtx): Value {
  const [x, gamma, beta] = inputs;
  let y = normalize(w, x, [x.type.shape.length - 1], attrs.eps as number);
  if (gamma) y = w.binary('multiply', y, broadcastTo(w, gamma, y.type.shape));
  return beta ? w.binary('add', y, broadcastTo(w, beta, y.type.shape)) : y;
}

/** Inference form: scale = gamma·rsqrt(var + eps) per channel, then (x − mean)·scale + beta. */
function batchNorm({ w, inputs, attrs }: LowerCtx): Value {
  const [x, mean, variance, gamma, beta] = inputs;
  const shape = x.type.shape;
  const inv = w.unary('rsqrt', w.binary('add', variance, full(w, attrs.eps as number, variance.type)));
  const scale = channelBroadcast(w, w.binary('multiply', gamma, inv), shape);
  const centered = w.binary('subtract', x, channelBroadcast(w, mean, shape));
  return w.binary('add', w.binary('multiply', centered, scale), channelBroadcast(w, beta, shape));
}

export const NORM_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  group_norm: lower(groupNorm),
  layer_norm: lower(layerNorm),
  batch_norm: lower(batchNorm),
};
