/**
 * Builds graphs. Every node goes through the op registry (attribute defaults, type rule) and is
 * interned: asking twice for the same {op, inputs, attrs, regions} returns the same node.
 */
import { DenocError } from '../diagnostics.ts';
import { checkLimit } from '../limits.ts';
import { getOp, normalizeAttrs, ShapeError } from '../ops/registry.ts';
import '../ops/structural.ts';
import type { Attrs, AttrValue, Graph, Node } from './node.ts';
import type { Span } from './span.ts';
import { formatType, sameType, symbolicNumel, tensorType, type DType, type Shape, type TensorType, type Type } from './types.ts';

let nextId = 1;

function attrKey(attrs: Attrs): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${valueKey(attrs[k])}`)
    .join(';');
}

/** FNV-1a over the raw bytes; buckets are compared exactly, so collisions only cost time. */
function valueKey(v: AttrValue): string {
  if (v instanceof Float32Array || v instanceof Int32Array) {
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
    return `${v.constructor.name}#${v.length}#${(h >>> 0).toString(16)}`;
  }
  return JSON.stringify(v);
}

function sameAttrValue(a: AttrValue, b: AttrValue): boolean {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as Float32Array | Int32Array,
      y = b as Float32Array | Int32Array;
    return x.length === y.length && x.every((e, i) => Object.is(e, y[i]));
  }
  return JSON.stringify(a) === JSON.stringify(b);
}

const regionIds = new WeakMap<Graph, number>();
function regionId(g: Graph): number {
  let id = regionIds.get(g);
  if (id === undefined) {
    id = nextId++;
    regionIds.set(g, id);
  }
  return id;
}

export interface LoopBody {
  /** The step index, an i32 scalar running 0 .. count-1. */
  readonly iter: Node;
  readonly carried: readonly Node[];
  readonly captures: readonly Node[];
}

/** A node in a limit error: weights and params by name, other nodes by op. */
function describeNode(op: string, attrs: Attrs): string {
  if (op === 'weight') return `weight '${String(attrs.path)}'`;
  if (op === 'param') return `input '${String(attrs.name)}'`;
  return `the result of ${op}`;
}

export class GraphBuilder {
  private readonly table = new Map<string, Node[]>();
  private readonly params: Node[] = [];

  constructor(readonly name: string) {}

  /** Creates (or returns the interned) node for `op(inputs) {attrs}`. */
  op(op: string, inputs: readonly Node[], attrs: Attrs = {}, span?: Span, regions: readonly Graph[] = []): Node {
    const def = getOp(op);
    let type: Type;
    let normalized: Attrs;
    try {
      checkArity(def.arity, inputs.length);
      if (!def.acceptsTuple) {
        for (const [i, n] of inputs.entries()) {
          if (n.type.kind !== 'tensor') throw new ShapeError(`input ${i} of '${op}' is a tuple; select an element first`);
        }
      }
      normalized = normalizeAttrs(def, attrs);
      type = def.inferType(
        inputs.map((n) => n.type as TensorType),
        normalized,
      );
    } catch (e) {
      if (e instanceof ShapeError) {
        throw new DenocError({ code: 'IR0001', severity: 'error', message: `${op}: ${e.message}`, span });
      }
      throw e;
    }
    // Every inferred type passes here (bound dims included, bind-dims.ts re-types through the builder),
    // so no executor is ever asked to allocate a tensor over the limit.
    if (type.kind === 'tensor')
      checkLimit('tensorElements', symbolicNumel(type.shape).factor, `${describeNode(op, normalized)} ${formatType(type)}`, span);
    const key = `${op}(${inputs.map((n) => n.id).join(',')})[${regions.map(regionId).join(',')}]{${attrKey(normalized)}}`;
    const bucket = this.table.get(key);
    const hit = bucket?.find((n) => Object.keys(normalized).every((k) => sameAttrValue(n.attrs[k], normalized[k])));
    if (hit) return hit;
    const node: Node = Object.freeze({
      id: nextId++,
      op,
      inputs: Object.freeze([...inputs]),
      attrs: normalized,
      type,
      regions: Object.freeze([...regions]),
      span,
    });
    if (bucket) bucket.push(node);
    else this.table.set(key, [node]);
    return node;
  }

  param(name: string, type: TensorType, span?: Span): Node {
    if (this.params.some((p) => p.attrs.name === name)) {
      throw new DenocError({ code: 'IR0002', severity: 'error', message: `duplicate graph parameter '${name}'`, span });
    }
    const node = this.op('param', [], { name, dtype: type.dtype, shape: type.shape }, span);
    this.params.push(node);
    return node;
  }

  weight(path: string, type: TensorType, span?: Span): Node {
    return this.op('weight', [], { path, dtype: type.dtype, shape: type.shape }, span);
  }

  constant(data: Float32Array | Int32Array, shape: readonly number[], span?: Span): Node {
    const dtype: DType = data instanceof Int32Array ? 'i32' : 'f32';
    return this.op('constant', [], { data, dtype, shape }, span);
  }

  scalar(value: number, dtype: 'f32' | 'i32' = 'f32', span?: Span): Node {
    return this.constant(dtype === 'f32' ? Float32Array.of(value) : Int32Array.of(value), [], span);
  }

  /**
   * A structured loop. `body` receives a fresh builder whose params are (iter, ...carried, ...captures)
   * and returns the next carried values. Returns the final carried values.
   */
  loop(
    count: number,
    init: readonly Node[],
    captures: readonly Node[],
    body: (b: GraphBuilder, args: LoopBody) => readonly Node[],
    span?: Span,
  ): Node[] {
    const bb = new GraphBuilder(`${this.name}.loop`);
    const iter = bb.param('iter', tensorType('i32', []), span);
    const carried = init.map((n, i) => bb.param(`carried${i}`, n.type as TensorType, span));
    const caps = captures.map((n, i) => bb.param(`capture${i}`, n.type as TensorType, span));
    const next = body(bb, { iter, carried, captures: caps });
    if (next.length !== init.length) {
      throw new DenocError({ code: 'IR0003', severity: 'error', message: `loop body yields ${next.length} values but carries ${init.length}`, span });
    }
    next.forEach((n, i) => {
      if (!sameType(n.type, init[i].type)) {
        throw new DenocError({
          code: 'IR0004',
          severity: 'error',
          span,
          message: `loop-carried value ${i} changes type from ${formatType(init[i].type)} to ${formatType(n.type)}`,
        });
      }
    });
    const region = bb.finish(next);
    const loop = this.op('loop', [...init, ...captures], { count, carried: init.length }, span, [region]);
    return init.map((_, i) => this.op('tuple_get', [loop], { index: i }, span));
  }

  finish(outputs: readonly Node[]): Graph {
    return Object.freeze({ name: this.name, params: Object.freeze([...this.params]), outputs: Object.freeze([...outputs]) });
  }
}

function checkArity(arity: number | readonly [number, number] | 'variadic', n: number): void {
  if (arity === 'variadic') return;
  const [lo, hi] = typeof arity === 'number' ? [arity, arity] : arity;
  if (n < lo || n > hi) {
    throw new ShapeError(`expects ${lo === hi ? lo : `${lo} to ${hi}`} inputs, got ${n}`);
  }
}

/** Shape helper for callers building typed leaves. */
export function t(dtype: DType, shape: Shape): TensorType {
  return tensorType(dtype, shape);
}
