/**
 * The op registry: every op is declared once with its attribute schema, type rule, fusion kind and
 * cost. Passes and targets read these attributes instead of switching on names. Reference semantics
 * (tfjs kernels) live a layer up, in compiler/semantics/kernels, keyed by the same op names.
 */
import type { Attrs, AttrValue } from '../ir/node.ts';
import type { TensorType, Type } from '../ir/types.ts';
import { numel } from '../ir/types.ts';
import type { VjpRule } from './vjp.ts';

/** How an op may combine with neighbours into one kernel (after TVM's OpPatternKind). */
export type FusionKind =
  | 'elementwise' // out[i] = f(in0[i], in1[i], ...), same shapes
  | 'broadcast' // elementwise with numpy broadcasting of inputs
  | 'injective' // each output element reads one input element (reshape, transpose, slice, concat)
  | 'reduction' // reduces one or more axes
  | 'out-fusable' // a heavy op (matmul, conv) whose output can take an elementwise epilogue
  | 'opaque'; // never fused (loops, randomness sources, leaves)

export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'ints' | 'floats' | 'dims' | 'strings' | 'data';

export interface AttrSpec {
  readonly kind: AttrKind;
  /** Absent: the attribute is required. */
  readonly default?: AttrValue;
  readonly optional?: boolean;
  readonly help?: string;
}

export interface OpCost {
  readonly flops: number;
  /** Bytes read plus bytes written by a standalone kernel. */
  readonly bytes: number;
}

export interface OpDef {
  readonly name: string;
  readonly summary: string;
  readonly attrs: Readonly<Record<string, AttrSpec>>;
  /** Exact input count, an inclusive [min, max] range, or any number. */
  readonly arity: number | readonly [number, number] | 'variadic';
  readonly fusion: FusionKind;
  /** Structural ops that read a tuple-typed input (only `tuple_get`). */
  readonly acceptsTuple?: boolean;
  /** Throws ShapeError with a readable message when the inputs do not fit. */
  inferType(inputs: readonly TensorType[], attrs: Attrs): Type;
  /**
   * Absent exactly for structural ops (leaves, loop, tuple_get, kernel): they run no computation of
   * their own, so cost analyses count them as nothing (or as their regions) and they have no reference kernel.
   */
  cost?(inputs: readonly TensorType[], out: TensorType, attrs: Attrs): OpCost;
  /** Reverse mode: the inputs' cotangents from the output's, in registry ops (vjp.ts). */
  readonly vjp?: VjpRule;
  /** Why the op has no `vjp` (a leaf, a boolean result, a structure autodiff does not cross). */
  readonly noVjp?: string;
}

/** A type rule failure; the builder attaches the node's span and a diagnostic code. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function shapeCheck(cond: boolean, message: string | (() => string)): asserts cond {
  if (!cond) throw new ShapeError(typeof message === 'string' ? message : message());
}

const registry = new Map<string, OpDef>();

export function defineOp(def: OpDef): OpDef {
  if (registry.has(def.name)) throw new Error(`op '${def.name}' is registered twice`);
  registry.set(def.name, Object.freeze(def));
  return def;
}

export function getOp(name: string): OpDef {
  const def = registry.get(name);
  if (!def) throw new Error(`unknown op '${name}'`);
  return def;
}

export function hasOp(name: string): boolean {
  return registry.has(name);
}

export function allOps(): OpDef[] {
  return [...registry.values()];
}

function staticBytes(t: TensorType): number {
  try {
    return numel(t.shape) * 4;
  } catch {
    return 0;
  }
}

/** Default cost: one flop per output element, every input and the output touched once. */
export function opCost(def: OpDef, inputs: readonly TensorType[], out: TensorType, attrs: Attrs): OpCost {
  if (def.cost) return def.cost(inputs, out, attrs);
  const outN = staticBytes(out) / 4;
  const bytes = inputs.reduce((s, t) => s + staticBytes(t), staticBytes(out));
  const flops = def.fusion === 'opaque' ? 0 : def.fusion === 'injective' ? 0 : outN;
  return { flops, bytes };
}

/**
 * Attributes any computing op may carry besides its own. `remat` marks a copy that the remat pass
 * (compiler/passes/remat.ts) recomputes in the backward part: it keeps the copy apart from the forward
 * node when nodes are interned, and no target reads it.
 */
export const COMMON_ATTRS: Readonly<Record<string, AttrSpec>> = Object.freeze({
  remat: { kind: 'int', optional: true, help: 'a recomputed copy (remat pass): the checkpoint segment it belongs to' },
});

/** The schema of attribute `key` of `def`: its own, else a common one. */
export function attrSpec(def: OpDef, key: string): AttrSpec | undefined {
  return def.attrs[key] ?? (def.cost ? COMMON_ATTRS[key] : undefined);
}

/** Fills defaults and checks attribute kinds, so equal ops intern to one node. */
export function normalizeAttrs(def: OpDef, attrs: Attrs): Attrs {
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(attrs)) {
    if (!attrSpec(def, key)) throw new ShapeError(`op '${def.name}' has no attribute '${key}'`);
  }
  for (const [key, spec] of Object.entries(def.attrs)) {
    const value = key in attrs ? attrs[key] : spec.default;
    if (value === undefined) {
      if (spec.optional) continue;
      throw new ShapeError(`op '${def.name}' needs attribute '${key}'`);
    }
    checkAttrKind(def.name, key, spec.kind, value);
    out[key] = value;
  }
  for (const [key, spec] of Object.entries(COMMON_ATTRS)) {
    if (!(key in attrs) || key in def.attrs) continue;
    checkAttrKind(def.name, key, spec.kind, attrs[key]);
    out[key] = attrs[key];
  }
  return Object.freeze(out);
}

function checkAttrKind(op: string, key: string, kind: AttrKind, v: AttrValue): void {
  const ok = (() => {
    switch (kind) {
      case 'int':
        return typeof v === 'number' && Number.isInteger(v);
      case 'float':
        return typeof v === 'number';
      case 'bool':
        return typeof v === 'boolean';
      case 'string':
        return typeof v === 'string';
      case 'ints':
        return Array.isArray(v) && v.every((x) => Number.isInteger(x));
      case 'floats':
        return Array.isArray(v) && v.every((x) => typeof x === 'number');
      case 'dims':
        return Array.isArray(v) && v.every((x) => Number.isInteger(x) || typeof x === 'string');
      case 'strings':
        return Array.isArray(v) && v.every((x) => typeof x === 'string');
      case 'data':
        return v instanceof Float32Array || v instanceof Int32Array;
    }
  })();
  if (!ok) throw new ShapeError(`op '${op}': attribute '${key}' must be ${kind}, got ${JSON.stringify(v)}`);
}
