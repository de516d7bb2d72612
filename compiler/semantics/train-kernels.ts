/**
 * Training-time kernels: ops whose tfjs gradients are slow or missing on the wasm backend get a
 * forward computation with a custom gradient built from forward kernels (FACTS.md: tfjs-wasm's
 * transposed matMul is ~10× slower than the plain form, and it has no Conv2DBackpropFilter). The
 * forward values are the reference kernels' values; only how the backward pass is computed changes.
 * Ops not listed here (and cases these do not cover: broadcast matmul batches, grouped or dilated
 * convolutions) use their registry reference kernel and tfjs' own gradients. slice is here because
 * tfjs has no StridedSlice gradient on any backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '../core/ir/node.ts';

export type TrainKernel = (node: Node, inputs: readonly tf.Tensor[]) => tf.Tensor | undefined;

/** Swaps the last two axes. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return tf.transpose(x, perm);
}

function product(p: tf.Tensor, q: tf.Tensor): tf.Tensor {
  return p.rank === 2 ? tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D) : tf.matMul(p as tf.Tensor3D, q as tf.Tensor3D);
}

/** a·b for [m,k]·[k,n] or [c,m,k]·[c,k,n]; both operand gradients are plain (untransposed) products. */
const plainProduct = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  const gradFunc = (dy: tf.Tensor, [sa, sb]: tf.Tensor[]): tf.Tensor[] => [product(dy, swapLast(sb)), product(swapLast(sa), dy)];
  return { value: product(a, b), gradFunc };
});

/**
 * matmul with transposes materialized first (their gradients are transposes too), then one plain
 * product: a layer's [..., k] × [k, n] as one 2-D product, equal batch dims as one batched product.
 * Broadcast batch dims are left to the reference kernel.
 */
function matmul(node: Node, [a0, b0]: readonly tf.Tensor[]): tf.Tensor | undefined {
  const a = node.attrs.transposeA ? swapLast(a0) : a0;
  const b = node.attrs.transposeB ? swapLast(b0) : b0;
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.rank - 1];
  if (b.rank === 2) {
    const flat = plainProduct(tf.reshape(a, [-1, k]), b);
    return tf.reshape(flat, [...a.shape.slice(0, -1), n]);
  }
  const batch = a.shape.slice(0, -2);
  if (b.rank !== a.rank || !batch.every((d, i) => d === b.shape[i])) return undefined;
  const count = batch.reduce((p, d) => p * d, 1);
  const out = plainProduct(tf.reshape(a, [count, m, k]), tf.reshape(b, [count, k, n]));
  return tf.reshape(out, [...batch, m, n]);
}

/** Zeros between the rows and columns of NHWC `dy` (stride − 1 of them): the stride-1 view of a strided conv. */
function spread(dy: tf.Tensor4D, s: number): tf.Tensor4D {
  if (s === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const padded = tf.pad(tf.reshape(dy, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, s - 1],
    [0, 0],
    [0, s - 1],
    [0, 0],
  ]);
  return tf.slice(tf.reshape(padded, [n, h * s, w * s, c]) as tf.Tensor4D, [0, 0, 0, 0], [n, (h - 1) * s + 1, (w - 1) * s + 1, c]);
}

/**
 * 'valid' NHWC convolution of a padded input x [N,Hp,Wp,C] with w [kh,kw,C,O] at stride s, whose
 * gradients are forward convolutions (the standard identities, e.g. Dumoulin & Visin 2016, "A guide
 * to convolution arithmetic"):
 *   dx = conv(pad(spread(dy), k−1 each side, plus the rows no window reached), w rotated 180° with C↔O)
 *   dw = conv(x with N↔C swapped, dy with N as input channels, dilation s), cropped to k × k
 */
function validConv(s: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x, w]);
    const gradFunc = (dy: tf.Tensor, [sx, sw]: tf.Tensor[]): tf.Tensor[] => {
      const [, hp, wp] = sx.shape,
        [kh, kw] = sw.shape;
      const d = dy as tf.Tensor4D;
      const [, oh, ow] = d.shape;
      const [spanH, spanW] = [(oh - 1) * s + kh, (ow - 1) * s + kw];
      const dyPad = tf.pad(spread(d, s), [
        [0, 0],
        [kh - 1, kh - 1 + hp - spanH],
        [kw - 1, kw - 1 + wp - spanW],
        [0, 0],
      ]);
      const rotated = tf.transpose(tf.reverse(sw, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      const dx = tf.conv2d(dyPad, rotated, 1, 'valid');
      const xT = tf.transpose(sx, [3, 1, 2, 0]) as tf.Tensor4D;
      const dyT = tf.transpose(d, [1, 2, 0, 3]) as tf.Tensor4D;
      const full = tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', [s, s]);
      const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
      return [dx, dw];
    };
    return { value: tf.conv2d(x, w, s, 'valid'), gradFunc };
  });
}

/** conv2d (NCHW × OIHW, symmetric pad, one group, no dilation) through validConv in NHWC. */
function conv2d(node: Node, [x, w, bias]: readonly tf.Tensor[]): tf.Tensor | undefined {
  const [sh, sw] = node.attrs.stride as number[];
  const [ph, pw] = node.attrs.pad as number[];
  const dilation = node.attrs.dilation as number[];
  if (node.attrs.groups !== 1 || dilation.some((d) => d !== 1) || sh !== sw) return undefined;
  const xh = tf.pad(tf.transpose(x, [0, 2, 3, 1]), [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0],
  ]);
  const y = tf.transpose(validConv(sh)(xh, tf.transpose(w, [2, 3, 1, 0])), [0, 3, 1, 2]);
  return bias ? tf.add(y, tf.reshape(bias, [1, -1, 1, 1])) : y;
}

/**
 * upsample_nearest by an integer factor: each pixel copied into an s × s block, so the gradient
 * sums each block (the reference's rank-6 broadcast has no tfjs gradient: Tile is limited to rank 5).
 */
function upsampleNearest(node: Node, [x]: readonly tf.Tensor[]): tf.Tensor {
  const s = node.attrs.scale as number;
  const [n, c, h, w] = x.shape;
  const up = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const value = tf.reshape(tf.broadcastTo(tf.reshape(input, [n, c, h, 1, w, 1]), [n, c, h, s, w, s]), [n, c, h * s, w * s]);
    return { value, gradFunc: (dy: tf.Tensor) => [tf.sum(tf.reshape(dy, [n, c, h, s, w, s]), [3, 5])] };
  });
  return up(x);
}

/**
 * gather along axis 0 (an Embedding lookup): the table's gradient is onehot(ids)ᵀ·dy, one plain
 * product, instead of tfjs' UnsortedSegmentSum, which the wasm backend lacks.
 */
function gather(node: Node, [table, ids]: readonly tf.Tensor[]): tf.Tensor | undefined {
  if (node.attrs.axis !== 0) return undefined;
  const rows = table.shape[0];
  const rest = table.shape.slice(1);
  const width = rest.reduce((p, d) => p * d, 1);
  const lookup = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => {
      // oneHot in its int32 form, then cast: tfjs-wasm 4.22's float32 oneHot writes the integer bits of
      // 1 into float lanes (1.4e-45), which zeroed every embedding gradient (found by the IR autodiff test)
      const picks = tf.transpose(tf.cast(tf.oneHot(tf.reshape(ids, [-1]), rows), 'float32')) as tf.Tensor2D;
      return [tf.reshape(tf.matMul(picks, tf.reshape(dy, [-1, width]) as tf.Tensor2D), table.shape)];
    };
    return { value: tf.gather(t, ids, 0), gradFunc };
  });
  return lookup(table);
}

/** Python-style slice bounds on an axis of size `dim` (as the slice op's reference clamps them). */
function bound(dim: number, v: number): number {
  return Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
}

/** `g` put back at every `s`-th position of `axis` from `begin`, zeros elsewhere, in an axis of size `dim`. */
function placeAlong(g: tf.Tensor, axis: number, begin: number, s: number, dim: number): tf.Tensor {
  const n = g.shape[axis];
  const [pre, post] = [g.shape.slice(0, axis), g.shape.slice(axis + 1)];
  const zeros = (k: number): [number, number][] => g.shape.map((_, i) => (i === axis ? [0, k] : [0, 0]) as [number, number]);
  let spread = g;
  if (s > 1) {
    const opened = tf.pad(tf.reshape(g, [...pre, n, 1, ...post]), [...zeros(0).slice(0, axis + 1), [0, s - 1], ...zeros(0).slice(axis + 1)]);
    spread = tf.slice(
      tf.reshape(opened, [...pre, n * s, ...post]),
      g.shape.map(() => 0),
      [...pre, (n - 1) * s + 1, ...post],
    );
  }
  const span = (n - 1) * s + 1;
  return tf.pad(
    spread,
    g.shape.map((_, i) => (i === axis ? [begin, dim - begin - span] : [0, 0]) as [number, number]),
  );
}

/**
 * slice with steps: tfjs has no gradient for StridedSlice on any backend, so the gradient puts dy
 * back at the sliced positions (zeros elsewhere) axis by axis. Unit steps use tf.slice, whose
 * gradient tfjs has.
 */
function slice(node: Node, [x]: readonly tf.Tensor[]): tf.Tensor {
  const begin = x.shape.map((d, i) => bound(d, (node.attrs.begin as number[])[i]));
  const end = x.shape.map((d, i) => bound(d, (node.attrs.end as number[])[i]));
  const step = node.attrs.step as number[];
  if (step.every((v) => v === 1))
    return tf.slice(
      x,
      begin,
      end.map((e, i) => e - begin[i]),
    );
  const strided = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const value = tf.stridedSlice(args[0] as tf.Tensor, begin, end, step);
    const gradFunc = (dy: tf.Tensor): tf.Tensor[] => [x.shape.reduce((g, dim, axis) => placeAlong(g, axis, begin[axis], step[axis], dim), dy)];
    return { value, gradFunc };
  });
  return strided(x);
}

export const TRAIN_KERNELS: Readonly<Record<string, TrainKernel>> = {
  matmul,
  conv2d,
  upsample_nearest: upsampleNearest,
  gather,
  slice,
};
