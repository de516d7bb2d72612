/**
 * Reductions: sum, mean, reduce_max, variance (population: divides by N) over `axes`, and softmax
 * along one axis. Fusion kind `reduction`.
 *
 * FLOPs: sum/reduce_max one per input element; mean adds one divide per output; variance counts
 * mean, subtract, square, accumulate (4 per input element); softmax counts max, subtract, exp, sum,
 * divide (5 per element).
 */
import type { Attrs } from '../ir/node.ts';
import { tensorType, type TensorType } from '../ir/types.ts';
import { attrInt, attrInts, countElems, ioBytes, normAxis, requireFloat, requireNumeric } from './common.ts';
import { defineOp, shapeCheck, type OpCost } from './registry.ts';

/** Normalised, sorted, duplicate-free axes. */
export function reduceAxes(a: Attrs, rank: number): number[] {
  const raw = attrInts(a, 'axes');
  shapeCheck(raw.length >= 1, 'axes must name at least one axis');
  const axes = raw.map((ax) => normAxis(ax, rank));
  shapeCheck(new Set(axes).size === axes.length, () => `axes [${raw.join(', ')}] name an axis twice`);
  return axes.sort((p, q) => p - q);
}

function reducedType(x: TensorType, a: Attrs): TensorType {
  const axes = reduceAxes(a, x.shape.length);
  const keep = a.keepdims as boolean;
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return tensorType(x.dtype, shape);
}

interface ReduceSpec {
  readonly name: string;
  readonly summary: string;
  readonly floatOnly: boolean;
  readonly flops: (inElems: number, outElems: number) => number;
}

const REDUCTIONS: readonly ReduceSpec[] = [
  { name: 'sum', summary: 'sum over axes', floatOnly: false, flops: (n) => n },
  { name: 'mean', summary: 'mean over axes', floatOnly: true, flops: (n, m) => n + m },
  { name: 'reduce_max', summary: 'maximum over axes', floatOnly: false, flops: (n) => n },
  { name: 'variance', summary: 'population variance over axes (divides by N)', floatOnly: true, flops: (n) => 4 * n },
];

for (const spec of REDUCTIONS) {
  defineOp({
    name: spec.name,
    summary: spec.summary,
    attrs: { axes: { kind: 'ints' }, keepdims: { kind: 'bool', default: false } },
    arity: 1,
    fusion: 'reduction',
    inferType: ([x], a) => {
      if (spec.floatOnly) requireFloat(x, 'x');
      else requireNumeric(x, 'x');
      return reducedType(x, a);
    },
    cost: (inputs, out): OpCost => ({
      flops: spec.flops(countElems(inputs[0].shape), countElems(out.shape)),
      bytes: ioBytes(inputs, out),
    }),
  });
}

defineOp({
  name: 'softmax',
  summary: 'exp(x) / sum(exp(x)) along `axis` (max-subtracted)',
  attrs: { axis: { kind: 'int', default: -1 } },
  arity: 1,
  fusion: 'reduction',
  inferType: ([x], a) => {
    requireFloat(x, 'x');
    normAxis(attrInt(a, 'axis'), x.shape.length);
    return x;
  },
  cost: (inputs, out) => ({ flops: 5 * countElems(out.shape), bytes: ioBytes(inputs, out) }),
});
