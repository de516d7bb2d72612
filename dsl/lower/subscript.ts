/**
 * Indexing. Compile-time lists: `ts[i]`, `ts[-1]`, `ts[1:]`, `blocks[0]`. Tensors, numpy-style:
 * `x[:, :, None, None]` (new axes), `x[0:4]`, `x[:, 1]` (drops the axis), `x[..., ::2]`; a single
 * i32 tensor index gathers along axis 0 (`emb[ids]`, and `abar[t]` on a compile-time table, which
 * becomes a constant). Tensor indexing lowers to one `slice`
 * (symbolic axes can only be kept whole) and one `reshape` for dropped and new axes.
 */
import { tensorOf, type Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { Dim } from '../../compiler/core/ir/types.ts';
import { SLICE_END } from '../../compiler/core/ops/shape.ts';
import { DSL } from '../diagnostic-codes.ts';
import { describe, expectInt, list, POISON, raise, type Scope, type Value } from '../semantics/values.ts';
import type { Expr, IndexItem } from '../syntax/ast.ts';
import type { Lowerer } from './context.ts';

type Item =
  | { readonly kind: 'at'; readonly value: Value; readonly span: Span }
  | { readonly kind: 'slice'; readonly start?: Value; readonly stop?: Value; readonly step?: Value; readonly span: Span }
  | { readonly kind: 'ellipsis'; readonly span: Span };

export function index(lw: Lowerer, e: Extract<Expr, { kind: 'index' }>, scope: Scope): Value {
  const target = lw.expr(e.target, scope);
  const opt = (x: Expr | undefined): Value | undefined => (x ? lw.expr(x, scope) : undefined);
  const items = e.items.map((it: IndexItem): Item => {
    if (it.kind === 'at') return { kind: 'at', value: lw.expr(it.value, scope), span: it.span };
    if (it.kind === 'slice') return { kind: 'slice', start: opt(it.start), stop: opt(it.stop), step: opt(it.step), span: it.span };
    return it;
  });
  if (target.kind === 'poison' || items.some((it) => it.kind === 'at' && it.value.kind === 'poison')) return POISON;
  const only = items.length === 1 ? items[0] : undefined;
  if (target.kind === 'list' && only?.kind === 'at' && only.value.kind === 'tensor') {
    // A compile-time table indexed by a tensor (`abar[t]`) becomes a constant gathered at run time.
    return lw.tensorOp('gather', [lw.toTensor(target, e.target.span), only.value.node], { axis: 0 }, e.span);
  }
  if (target.kind === 'list' || target.kind === 'tuple') return indexList(target.items, items, e.span);
  if (target.kind === 'tensor') return indexTensor(lw, target.node, items, e.span);
  return raise(DSL.BadIndex, `${describe(target)} cannot be indexed`, e.span);
}

function indexList(items: readonly Value[], idx: readonly Item[], span: Span): Value {
  if (idx.length !== 1) raise(DSL.BadIndex, 'a list takes one index', span);
  const it = idx[0];
  if (it.kind === 'ellipsis') return raise(DSL.BadIndex, "'...' does not apply to a list", it.span);
  if (it.kind === 'at') {
    const k = expectInt(it.value, 'a list index', it.span);
    const j = k < 0 ? items.length + k : k;
    if (j < 0 || j >= items.length) raise(DSL.IndexRange, `index ${k} is out of range for a list of ${items.length}`, it.span);
    return items[j];
  }
  const step = it.step ? expectInt(it.step, 'a slice step', it.span) : 1;
  if (step < 1) raise(DSL.BadIndex, 'slice steps must be >= 1', it.span);
  const norm = (v: Value | undefined, dflt: number): number => {
    if (!v) return dflt;
    const k = expectInt(v, 'a slice bound', it.span);
    return Math.min(items.length, Math.max(0, k < 0 ? items.length + k : k));
  };
  const out: Value[] = [];
  for (let j = norm(it.start, 0); j < norm(it.stop, items.length); j += step) out.push(items[j]);
  return list(out);
}

interface AxisPlan {
  begin: number;
  end: number;
  step: number;
  drop: boolean;
}

function indexTensor(lw: Lowerer, x: Node, items: readonly Item[], span: Span): Value {
  const t = tensorOf(x);
  if (items.length === 1 && items[0].kind === 'at' && items[0].value.kind === 'tensor') {
    return lw.tensorOp('gather', [x, items[0].value.node], { axis: 0 }, span);
  }
  const consumed = items.filter((it) => !(it.kind === 'at' && it.value.kind === 'none') && it.kind !== 'ellipsis').length;
  if (items.filter((it) => it.kind === 'ellipsis').length > 1) raise(DSL.BadIndex, "at most one '...' per index", span);
  if (consumed > t.shape.length) raise(DSL.BadIndex, `${consumed} indices for a tensor of rank ${t.shape.length}`, span);
  const full = (): AxisPlan => ({ begin: 0, end: SLICE_END, step: 1, drop: false });
  const axes: AxisPlan[] = [];
  const out: (Dim | 'kept')[] = [];
  const expand = (): void => {
    axes.push(full());
    out.push('kept');
  };
  for (const it of items) {
    if (it.kind === 'ellipsis') {
      for (let k = 0; k < t.shape.length - consumed; k++) expand();
      continue;
    }
    if (it.kind === 'at' && it.value.kind === 'none') {
      out.push(1);
      continue;
    }
    const axis = axes.length;
    const plan = axisPlan(it, t.shape[axis], axis, span);
    axes.push(plan);
    if (!plan.drop) out.push('kept');
  }
  while (axes.length < t.shape.length) expand();
  let y = x;
  if (axes.some((a) => a.begin !== 0 || a.end !== SLICE_END || a.step !== 1)) {
    y = lw.b.op('slice', [x], { begin: axes.map((a) => a.begin), end: axes.map((a) => a.end), step: axes.map((a) => a.step) }, span);
  }
  const sliced = tensorOf(y).shape;
  const kept = sliced.filter((_, i) => !axes[i].drop);
  let k = 0;
  const shape = out.map((d) => (d === 'kept' ? kept[k++] : d));
  if (shape.length === sliced.length && shape.every((d, i) => d === sliced[i])) return { kind: 'tensor', node: y };
  return lw.tensorOp('reshape', [y], { shape }, span);
}

function axisPlan(it: Item, dim: Dim, axis: number, span: Span): AxisPlan {
  const bound = (v: Value | undefined, what: string): number | undefined => (v ? expectInt(v, what, it.span) : undefined);
  const symbolic = (): never => raise(DSL.SymbolicDim, `axis ${axis} has symbolic size ${dim}; it can only be kept whole (:)`, it.span);
  if (it.kind === 'at') {
    if (it.value.kind === 'tensor') raise(DSL.BadIndex, 'a tensor index must be the only index (it gathers along axis 0)', it.span);
    const k = expectInt(it.value, 'a tensor index', it.span);
    if (typeof dim !== 'number') return symbolic();
    const j = k < 0 ? dim + k : k;
    if (j < 0 || j >= dim) raise(DSL.IndexRange, `index ${k} is out of range for axis ${axis} of size ${dim}`, it.span);
    return { begin: j, end: j + 1, step: 1, drop: true };
  }
  if (it.kind !== 'slice') return raise(DSL.BadIndex, 'bad index', span);
  const begin = bound(it.start, 'a slice start') ?? 0;
  const end = bound(it.stop, 'a slice end') ?? SLICE_END;
  const step = bound(it.step, 'a slice step') ?? 1;
  if (step < 1) raise(DSL.BadIndex, 'slice steps must be >= 1', it.span);
  if (typeof dim !== 'number' && (begin !== 0 || end !== SLICE_END || step !== 1)) symbolic();
  return { begin, end, step, drop: false };
}
