/**
 * fold-constants — evaluates at compile time everything that does not depend on run-time data.
 *
 * Rewrites  %c = mul(constant 2, constant 3)                  →  %c = constant {data=dense<[6]>}
 *           in a loop body of count N, a value that depends only on %iter and constants:
 *           %a = gather(%tab, %iter) ; %s = sqrt(sub(1, mul(%a, %a)))
 *                                                             →  %s = gather(constant [N,...], %iter)
 *           (a per-step table, evaluated for iter = 0..N-1: compiled samplers carry tables, not formulas)
 *           exact identities: x*1, 1*x, x/1, x+(-0), x-(+0), pow(x, 1), reshape/broadcast_to to the
 *           same shape, identity transpose, cast to the same dtype  →  x
 * Keeps     numerics bit-exactly on the cpu reference: values are computed by each op's reference
 *           kernel in f32 with the same ops as at run time. Never folds `randn` (noise is per-run
 *           data even for a constant seed). Constants captured by a loop count as constants inside it.
 * Leaves    x*0 (wrong for inf/nan), x+(+0) (turns -0 into +0); results larger than `maxElements`
 *           stay computed; merging equal constants and moving captured ones into bodies to cse;
 *           tables that a body no longer reads to dce.
 */
import { GraphBuilder } from '../core/ir/builder.ts';
import { topoOrder, type Graph, type Node } from '../core/ir/node.ts';
import { applyRules, type Rule } from '../core/ir/rewrite.ts';
import { isFloat, isStatic, numel, sameShape, sameType, type Shape, type TensorType } from '../core/ir/types.ts';
import type { Tensor } from '../core/tensor.ts';
import { evaluateNode } from '../semantics/evaluate.ts';
import { hasReferenceKernel } from '../semantics/kernels/index.ts';
import { definePass } from './pass.ts';

/** Ops whose value is not a function of their inputs alone. */
const NEVER_FOLD = new Set(['randn']);

interface FoldOptions extends Record<string, number | boolean> {
  tabulate: boolean;
  maxElements: number;
  identities: boolean;
}

interface Counters {
  folded: number;
  tabulated: number;
  tableElements: number;
}

export const foldConstants = definePass<FoldOptions>({
  name: 'fold-constants',
  summary: 'Evaluate constant nodes, tabulate per-step loop values, apply exact identities',
  options: {
    tabulate: { default: true, help: 'replace loop-body values that depend only on iter and constants by gather(table, iter)' },
    maxElements: { default: 65536, help: 'largest constant or table (in elements) the pass may create' },
    identities: { default: true, help: 'apply the exact algebraic identities (x*1, x/1, x+(-0), x-0, no-op reshape/transpose/cast)' },
  },
  run(graph, opts) {
    const counters: Counters = { folded: 0, tabulated: 0, tableElements: 0 };
    let out = foldLevel(graph, { known: new Map(), opts, counters });
    let identities = 0;
    if (opts.identities) {
      const result = applyRules(out, IDENTITY_RULES);
      identities = Object.values(result.fired).reduce((s, n) => s + n, 0);
      if (identities) out = result.graph;
    }
    const changed = counters.folded + counters.tabulated + identities > 0;
    return { graph: changed ? out : graph, changed, stats: { ...counters, identities } };
  },
});

interface Level {
  /** Params whose value is known: constants captured by the enclosing loop. */
  readonly known: ReadonlyMap<Node, Tensor>;
  /** In a loop body: its iter param and trip count. */
  readonly loop?: { readonly iter: Node; readonly count: number };
  readonly opts: FoldOptions;
  readonly counters: Counters;
}

type Kind = 'const' | 'iter' | 'var';

function hostOf(node: Node): Tensor {
  const t = node.type as TensorType;
  return { data: node.attrs.data as Float32Array | Int32Array, shape: t.shape as number[], dtype: t.dtype };
}

/** A node that fold may evaluate: a pure kernel with a static tensor result. */
function evaluable(node: Node): boolean {
  return (
    node.type.kind === 'tensor' && isStatic(node.type.shape) && node.regions.length === 0 && hasReferenceKernel(node.op) && !NEVER_FOLD.has(node.op)
  );
}

/** Classifies each node as constant, depending only on iter (and constants), or run-time data. */
function classify(order: readonly Node[], level: Level, values: Map<Node, Tensor>): Map<Node, Kind> {
  const kinds = new Map<Node, Kind>();
  const { opts, loop } = level;
  for (const node of order) {
    let kind: Kind = 'var';
    if (node.op === 'constant') {
      kind = 'const';
      values.set(node, hostOf(node));
    } else if (node.op === 'param') {
      const known = level.known.get(node);
      if (known) {
        kind = 'const';
        values.set(node, known);
      } else if (node === loop?.iter) kind = 'iter';
    } else if (evaluable(node)) {
      const inputKinds = node.inputs.map((n) => kinds.get(n));
      const size = numel((node.type as TensorType).shape);
      if (inputKinds.every((k) => k === 'const') && size <= opts.maxElements) {
        kind = 'const';
        values.set(
          node,
          evaluateNode(
            node,
            node.inputs.map((n) => values.get(n)!),
          ),
        );
        level.counters.folded++;
      } else if (
        loop &&
        opts.tabulate &&
        loop.count > 0 &&
        loop.count * size <= opts.maxElements &&
        inputKinds.every((k) => k === 'const' || k === 'iter') &&
        inputKinds.includes('iter')
      ) {
        kind = 'iter';
      }
    }
    kinds.set(node, kind);
  }
  return kinds;
}

/** Iter-dependent values some run-time node (or the yield) reads: these become tables. */
function tableRoots(order: readonly Node[], kinds: ReadonlyMap<Node, Kind>, outputs: readonly Node[], iter: Node): Node[] {
  const roots = new Set<Node>();
  const consider = (n: Node): void => {
    if (kinds.get(n) === 'iter' && n.op !== 'param' && !isTableLookup(n, iter)) roots.add(n);
  };
  for (const node of order) if (kinds.get(node) === 'var') node.inputs.forEach(consider);
  outputs.forEach(consider);
  return order.filter((n) => roots.has(n));
}

/** `gather(constant, iter)` on axis 0 is already the tabulated form. */
function isTableLookup(n: Node, iter: Node): boolean {
  return n.op === 'gather' && n.inputs[0].op === 'constant' && n.inputs[1] === iter && n.attrs.axis === 0;
}

/** Evaluates the roots for iter = 0..count-1 and stacks each into a [count, ...shape] table. */
function buildTables(
  order: readonly Node[],
  kinds: ReadonlyMap<Node, Kind>,
  roots: readonly Node[],
  level: Level,
  values: ReadonlyMap<Node, Tensor>,
): Map<Node, Tensor> {
  const { iter, count } = level.loop!;
  const needed = new Set(topoOrder({ name: '', params: [], outputs: roots }).filter((n) => kinds.get(n) === 'iter' && n !== iter));
  const steps = order.filter((n) => needed.has(n));
  const tables = new Map<Node, Tensor>();
  for (const r of roots) {
    const t = r.type as TensorType;
    const size = numel(t.shape);
    const data = isFloat(t.dtype) ? new Float32Array(count * size) : new Int32Array(count * size);
    tables.set(r, { data, shape: [count, ...(t.shape as number[])], dtype: t.dtype });
  }
  for (let i = 0; i < count; i++) {
    const env = new Map<Node, Tensor>([[iter, { data: Int32Array.of(i), shape: [], dtype: 'i32' }]]);
    for (const n of steps)
      env.set(
        n,
        evaluateNode(
          n,
          n.inputs.map((x) => env.get(x) ?? values.get(x)!),
        ),
      );
    for (const r of roots) {
      const v = env.get(r)!;
      tables.get(r)!.data.set(v.data, i * v.data.length);
    }
  }
  return tables;
}

function foldLevel(graph: Graph, level: Level): Graph {
  const order = topoOrder(graph);
  const values = new Map<Node, Tensor>();
  const kinds = classify(order, level, values);
  const roots = level.loop ? tableRoots(order, kinds, graph.outputs, level.loop.iter) : [];
  const tables = roots.length ? buildTables(order, kinds, roots, level, values) : new Map<Node, Tensor>();
  const b = new GraphBuilder(graph.name);
  const map = new Map<Node, Node>();
  for (const p of graph.params) map.set(p, b.param(p.attrs.name as string, p.type as TensorType, p.span));
  for (const node of order) {
    if (map.has(node)) continue;
    const table = tables.get(node);
    if (table) {
      level.counters.tabulated++;
      level.counters.tableElements += table.data.length;
      map.set(node, b.op('gather', [constantNode(b, table, node), map.get(level.loop!.iter)!], { axis: 0 }, node.span));
    } else if (kinds.get(node) === 'const') {
      map.set(node, constantNode(b, values.get(node)!, node));
    } else {
      const inputs = node.inputs.map((n) => map.get(n)!);
      const regions =
        node.op === 'loop'
          ? [foldBody(node, kinds, values, level)]
          : node.regions.map((r) => foldLevel(r, { ...level, known: new Map(), loop: undefined }));
      map.set(node, b.op(node.op, inputs, node.attrs, node.span, regions));
    }
  }
  return b.finish(graph.outputs.map((o) => map.get(o)!));
}

function constantNode(b: GraphBuilder, value: Tensor, at: Node): Node {
  return b.op('constant', [], { data: value.data, dtype: value.dtype, shape: value.shape }, at.span);
}

/** Folds a loop body, telling it which captures are constants and its trip count. */
function foldBody(loop: Node, kinds: ReadonlyMap<Node, Kind>, values: ReadonlyMap<Node, Tensor>, level: Level): Graph {
  const body = loop.regions[0];
  const nCarried = loop.attrs.carried as number;
  const known = new Map<Node, Tensor>();
  loop.inputs.forEach((input, i) => {
    if (i >= nCarried && kinds.get(input) === 'const') known.set(body.params[1 + i], values.get(input)!);
  });
  return foldLevel(body, { ...level, known, loop: { iter: body.params[0], count: loop.attrs.count as number } });
}

/** Every element of a constant satisfies `pred`. */
function constantAll(n: Node, pred: (v: number) => boolean): boolean {
  return n.op === 'constant' && (n.attrs.data as Float32Array).every((v) => pred(v));
}

const isOne = (v: number): boolean => v === 1;
/** -0 is the additive identity of IEEE floats; integers have only one zero. */
const isAddIdentity = (n: Node): boolean => constantAll(n, isFloat((n.type as TensorType).dtype) ? (v) => Object.is(v, -0) : (v) => v === 0);
const isPlusZero = (n: Node): boolean => constantAll(n, (v) => Object.is(v, 0));

/** `op(x, c)` (and `op(c, x)` when `commutes`) → x, where the result keeps x's type. */
function identityRule(name: string, op: string, why: string, isIdentity: (c: Node) => boolean, commutes: boolean): Rule {
  const operand = (node: Node, inputs: readonly Node[]): Node | undefined => {
    if (node.op !== op) return undefined;
    const [a, b] = inputs;
    if (isIdentity(b) && sameType(a.type, node.type)) return a;
    if (commutes && isIdentity(a) && sameType(b.type, node.type)) return b;
    return undefined;
  };
  return { name, why, match: (node, inputs) => operand(node, inputs) !== undefined, apply: (node, inputs) => operand(node, inputs)! };
}

/** `op(x) {attrs}` → x when the attributes make it a no-op. */
function noOpRule(name: string, op: string, why: string, isNoOp: (x: TensorType, node: Node) => boolean): Rule {
  return {
    name,
    why,
    match: (node, inputs) => node.op === op && isNoOp(inputs[0].type as TensorType, node) && sameType(inputs[0].type, node.type),
    apply: (_, inputs) => inputs[0],
  };
}

export const IDENTITY_RULES: readonly Rule[] = [
  identityRule('mul-one', 'mul', 'x·1 = x exactly for every IEEE value (nan, inf, -0 included)', (c) => constantAll(c, isOne), true),
  identityRule('div-one', 'div', 'x/1 = x exactly for every IEEE value', (c) => constantAll(c, isOne), false),
  identityRule('add-zero', 'add', 'x + (-0) = x exactly, even for x = -0 (x + (+0) is not: -0 becomes +0)', isAddIdentity, true),
  identityRule('sub-zero', 'sub', 'x - (+0) = x exactly, even for x = -0', isPlusZero, false),
  identityRule('pow-one', 'pow', 'pow(x, 1) = x for every x (IEEE pow)', (c) => constantAll(c, isOne), false),
  noOpRule('reshape-same', 'reshape', 'reshaping to the same shape moves no element', (x, n) => sameShape(x.shape, n.attrs.shape as Shape)),
  noOpRule('broadcast-same', 'broadcast_to', 'broadcasting to the same shape copies each element once', (x, n) =>
    sameShape(x.shape, n.attrs.shape as Shape),
  ),
  noOpRule('transpose-identity', 'transpose', 'the identity permutation moves no element', (_, n) =>
    (n.attrs.perm as number[]).every((p, i) => p === i),
  ),
  noOpRule('cast-same', 'cast', 'casting to the same dtype changes no value', (x, n) => n.attrs.dtype === x.dtype),
];
