/**
 * `a.b`: a module's members and arguments (`blocks.0` is written `blocks[0]`), a record's fields
 * (`sched.alpha`), a tensor's `shape` / `dtype` / `rank`, and inside samplers a model's
 * `sample_shape` (the shape of its first input, symbolic batch included) and `cond` (the sampler's
 * conditioning inputs, e.g. to build the unconditional input of classifier-free guidance).
 */
import { suggest } from '../../compiler/core/diagnostics.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { Dim } from '../../compiler/core/ir/types.ts';
import { DSL } from '../diagnostic-codes.ts';
import { describe, int, list, POISON, raise, type Value } from '../semantics/values.ts';
import type { Lowerer } from './context.ts';

export const dimValue = (d: Dim): Value => (typeof d === 'number' ? int(d) : { kind: 'sym', name: d });

const TENSOR_MEMBERS = ['shape', 'dtype', 'rank'];
const MODEL_MEMBERS = ['sample_shape', 'cond'];

function unknown(what: string, name: string, candidates: readonly string[], span: Span): never {
  const near = suggest(name, candidates);
  return raise(DSL.UnknownMember, `${what} has no member '${name}'`, span, near ? `did you mean '${near}'?` : undefined);
}

export function member(lw: Lowerer, target: Value, name: string, span: Span): Value {
  switch (target.kind) {
    case 'poison':
      return POISON;
    case 'module': {
      const scope = target.inst.scope;
      if (!scope.hasOwn(name)) return unknown(`module '${target.inst.path || target.inst.name}' (${target.inst.name})`, name, scope.ownNames(), span);
      return lw.lookup(name, scope, span);
    }
    case 'record': {
      const v = target.fields.get(name);
      return v ?? unknown(`the ${target.name} record`, name, [...target.fields.keys()], span);
    }
    case 'tensor': {
      const t = tensorOf(target.node);
      if (name === 'shape') return list(t.shape.map(dimValue));
      if (name === 'dtype') return { kind: 'str', value: t.dtype };
      if (name === 'rank') return int(t.shape.length);
      return unknown('a tensor', name, TENSOR_MEMBERS, span);
    }
    case 'model': {
      if (name === 'sample_shape') return list(lw.modelSignature(target.inst).params[0].type.shape.map(dimValue));
      if (name === 'cond') return list((lw.sampler?.cond ?? []).map((node) => ({ kind: 'tensor', node })));
      return unknown(`model ${target.inst.name}`, name, MODEL_MEMBERS, span);
    }
    case 'stepwise':
      return { kind: 'stepwise', values: target.values.map((v) => member(lw, v, name, span)) };
    default:
      return raise(DSL.UnknownMember, `${describe(target)} has no members (asked for '${name}')`, span);
  }
}
