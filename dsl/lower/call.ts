/**
 * Calls: builtin functions, forward calls of module instances (inlined: the callee's fn body is
 * lowered into the caller's graph, so a model graph is flat), and model calls inside samplers.
 * Argument binding (positional then named, defaults, "did you mean" for unknown names) is shared
 * by every kind of callee.
 */
import { tensorOf, type Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { formatType, sameType } from '../../compiler/core/ir/types.ts';
import { DSL } from '../diagnostic-codes.ts';
import { bindArgs, requireArgs, type EvalArg } from '../semantics/args.ts';
import { checkResult, evalSigType, unify, type Bindings } from '../semantics/signature.ts';
import { describe, POISON, raise, Scope, tensor, type ModuleInstance, type Value } from '../semantics/values.ts';
import type { CallExpr } from '../syntax/ast.ts';
import type { Lowerer } from './context.ts';

export function evalArgs(lw: Lowerer, e: CallExpr, scope: Scope): EvalArg[] {
  return e.args.map((a) => ({ name: a.name, value: lw.expr(a.value, scope), span: a.span }));
}

export function call(lw: Lowerer, e: CallExpr, scope: Scope): Value {
  return callValue(lw, lw.expr(e.callee, scope), e, scope);
}

export function callValue(lw: Lowerer, callee: Value, e: CallExpr, scope: Scope): Value {
  if (callee.kind === 'poison') return POISON;
  return apply(lw, callee, evalArgs(lw, e, scope), e.span);
}

/** Calls a value with evaluated arguments; poison in, poison out. */
export function apply(lw: Lowerer, callee: Value, args: readonly EvalArg[], span: Span): Value {
  if (callee.kind === 'poison' || args.some((a) => a.value.kind === 'poison')) return POISON;
  switch (callee.kind) {
    case 'builtin':
      return lw.builtins.get(callee.name)!(lw, args, span);
    case 'module':
      return callModule(lw, callee.inst, args, span);
    case 'model':
      return callModel(lw, callee.inst, args, span);
    case 'ctor':
      return raise(
        DSL.ModuleInExpr,
        `${describe(callee)} can only be instantiated in a member declaration`,
        span,
        'declare it as a member (conv = Conv2d(...)) and call the member in fn',
      );
    case 'sampler':
      return raise(
        DSL.BadSampler,
        `samplers are instantiated at the top level, as in 'sampler fast = ${callee.decl.name}(MyModel, steps: 10)'`,
        span,
      );
    default:
      return raise(DSL.NotCallable, `${describe(callee)} is not callable`, span);
  }
}

function tensorArg(a: EvalArg, what: string): Node {
  if (a.value.kind !== 'tensor') raise(DSL.ArgType, `${what} expects a tensor, got ${describe(a.value)}`, a.span);
  return a.value.node;
}

/** Lowers a forward call of an instance inline into the current graph. */
export function callModule(lw: Lowerer, inst: ModuleInstance, args: readonly EvalArg[], span: Span, root = false): Value {
  const label = inst.path ? `${inst.name} '${inst.path}'` : inst.name;
  if (inst.ctor.kind === 'primitive') {
    const def = inst.ctor.def;
    const bound = bindArgs(label, ['x'], args);
    requireArgs(label, ['x'], bound, span);
    const x = tensorArg(bound.get('x')!, label);
    const primArgs = Object.fromEntries(
      def.params.map((p) => {
        const v = inst.args.get(p.name)!;
        return [p.name, v.kind === 'bool' ? v.value : (v as { value: number }).value];
      }),
    );
    const weight = (name: string): Node => {
      const v = lw.lookup(name, inst.scope, span);
      return (v as { node: Node }).node;
    };
    return tensor(def.forward({ b: lw.b, args: primArgs, span, label, weight }, x));
  }
  const fn = inst.ctor.decl.fns[0];
  if (!fn) return POISON;
  const names = fn.params.map((p) => p.name);
  const bound = bindArgs(label, names, args);
  requireArgs(label, names, bound, span);
  const bindings: Bindings = new Map();
  const fnScope = new Scope(inst.scope);
  for (const p of fn.params) {
    const a = bound.get(p.name)!;
    const x = tensorArg(a, `${label} argument '${p.name}'`);
    // Later parameter types may compute with dims bound by earlier ones (f32[B, C, H // 2, W // 2]).
    unify(tensorOf(x), evalSigType(lw, p.type, fnScope), bindings, `argument '${p.name}' of ${label}`, a.span);
    defineDims(fnScope, bindings);
  }
  for (const p of fn.params) fnScope.define(p.name, tensor((bound.get(p.name)!.value as { node: Node }).node));
  // A model's root call has no call site worth naming in hints.
  if (!root) lw.callSites.push({ name: label, span });
  try {
    const result = lw.stmts(fn.body, fnScope);
    if (!result) return POISON;
    try {
      checkResult(result.value, fn.result, lw, fnScope, bindings, result.span);
    } catch (e) {
      lw.record(e);
      return POISON;
    }
    return result.value;
  } finally {
    if (!root) lw.callSites.pop();
  }
}

/** Dimension variables are compile-time values in the fn body (`reshape(x, [B, H * W, C])`). */
function defineDims(scope: Scope, bindings: Bindings): void {
  for (const [name, d] of bindings) {
    if (name === '...' || scope.hasOwn(name)) continue;
    scope.define(name, typeof d === 'number' ? { kind: 'num', value: d, int: true } : { kind: 'sym', name: d as string });
  }
}

/**
 * `model(x, t)` in a sampler: the model's conditioning inputs are passed on from the sampler's
 * parameters unless given; a scalar timestep is broadcast to the declared shape of t (f32[B]).
 */
function callModel(lw: Lowerer, inst: ModuleInstance, args: readonly EvalArg[], span: Span): Value {
  const sig = lw.modelSignature(inst);
  const given = [...args];
  if (args.some((a) => a.name !== undefined)) raise(DSL.BadModelCall, 'a model is called with positional arguments (x, t, conditioning...)', span);
  if (given.length === 2 && sig.params.length > 2) {
    given.push(...(lw.sampler?.cond ?? []).map((node) => ({ value: tensor(node), span })));
  }
  if (given.length !== sig.params.length) {
    raise(
      DSL.BadModelCall,
      `model ${inst.name} takes ${sig.params.length} inputs (${sig.params.map((p) => p.name).join(', ')}), got ${given.length}`,
      span,
    );
  }
  const inputs = given.map((a, i): EvalArg => {
    const want = sig.params[i].type;
    const v = a.value;
    if (v.kind === 'tensor' && sameType(v.node.type, want)) return a;
    const scalar = v.kind === 'num' || v.kind === 'stepwise' || (v.kind === 'tensor' && tensorOf(v.node).shape.length === 0);
    if (!scalar) {
      raise(DSL.BadModelCall, `input '${sig.params[i].name}' of model ${inst.name} must be ${formatType(want)}, got ${describe(v)}`, a.span);
    }
    const node = lw.toTensor(v, a.span, want.dtype);
    return { value: lw.tensorOp('broadcast_to', [node], { shape: want.shape }, a.span), span: a.span };
  });
  return callModule(lw, inst, inputs, span);
}
