/**
 * Reductions: sum, mean, reduce_max, variance (population: divides by N) over `axes`, and softmax
 * along one axis. Fusion kind `reduction`.
 *
 * FLOPs: sum/reduce_max one per input element; mean adds one divide per output; variance counts
 * mean, subtract, square, accumulate (4 per input element); softmax counts max, subtract, exp, sum,
 * divide (5 per element).
 */
import { tensorOf, type Attrs, type Node } from '../ir/node.ts';
import { tensorType, type TensorType } from '../ir/types.ts';
import { attrInt, attrInts, countElems, ioBytes, normAxis, requireFloat, requireNumeric } from './common.ts';
import { defineOp, shapeCheck, type OpCost } from './registry.ts';
import type { VjpBuilder } from './vjp.ts';

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

/** The reduction's input x, its output y and dy, each brought back to x's rank (reduced axes of size 1). */
interface Kept {
  readonly x: Node;
  readonly y: Node;
  readonly dy: Node;
  /** The reduced axes, normalised. */
  readonly axes: readonly number[];
  /** Elements reduced into each output (static: a symbolic reduced axis is refused). */
  readonly count: number;
}

interface ReduceSpec {
  readonly name: string;
  readonly summary: string;
  readonly floatOnly: boolean;
  readonly flops: (inElems: number, outElems: number) => number;
  /** dx at x's shape; `expand` broadcasts a kept-rank tensor to x's shape. */
  readonly dx: (g: VjpBuilder, k: Kept, expand: (t: Node) => Node) => Node;
}

const REDUCTIONS: readonly ReduceSpec[] = [
  { name: 'sum', summary: 'sum over axes', floatOnly: false, flops: (n) => n, dx: (_g, k, expand) => expand(k.dy) },
  {
    name: 'mean',
    summary: 'mean over axes',
    floatOnly: true,
    flops: (n, m) => n + m,
    dx: (g, k, expand) => g.op('div', [expand(k.dy), g.scalar(k.count)]),
  },
  // every maximal element gets the whole cotangent, as in the reference's gradient
  {
    name: 'reduce_max',
    summary: 'maximum over axes',
    floatOnly: false,
    flops: (n) => n,
    dx: (g, k, expand) => g.op('where', [g.op('equal', [k.x, expand(k.y)]), expand(k.dy), g.scalar(0)]),
  },
  // d var/dx = 2(x − mean)/N
  {
    name: 'variance',
    summary: 'population variance over axes (divides by N)',
    floatOnly: true,
    flops: (n) => 4 * n,
    dx: (g, k, expand) => {
      const centred = g.op('sub', [k.x, expand(g.op('div', [g.op('sum', [k.x], { axes: k.axes, keepdims: true }), g.scalar(k.count)]))]);
      return g.op('mul', [expand(k.dy), g.op('mul', [g.scalar(2 / k.count), centred])]);
    },
  },
];

function reductionVjp(spec: ReduceSpec) {
  return (g: VjpBuilder, node: Node, dy: Node): Node[] => {
    const [x] = node.inputs;
    const xt = tensorOf(x);
    const axes = reduceAxes(node.attrs, xt.shape.length);
    const keptShape = xt.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const keep = (t: Node): Node => (node.attrs.keepdims ? t : g.op('reshape', [t], { shape: keptShape }));
    const count = axes.reduce((n, ax) => {
      const d = xt.shape[ax];
      return typeof d === 'number' ? n * d : g.unsupported(`${node.op} over the symbolic axis '${d}': bind it first`);
    }, 1);
    const expand = (t: Node): Node => g.op('broadcast_to', [t], { shape: xt.shape });
    return [spec.dx(g, { x, y: keep(node), dy: keep(dy), axes, count }, expand)];
  };
}

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
    vjp: reductionVjp(spec),
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
  // dx = y·(dy − Σ dy·y) along the axis
  vjp: (g, node, dy) => {
    const axes = [normAxis(attrInt(node.attrs, 'axis'), tensorOf(node).shape.length)];
    const dot = g.op('sum', [g.op('mul', [dy, node])], { axes, keepdims: true });
    return [g.op('mul', [node, g.op('sub', [dy, dot])])];
  },
});
