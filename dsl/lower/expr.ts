/**
 * The lowering engine (the Lowerer of context.ts): evaluates expressions to values, emitting IR
 * through the current GraphBuilder (the graph's, or a loop body's while lowering a sampling loop).
 * One engine lowers one graph; its state (parameters, call sites, model signatures) dies with it.
 *
 * Staging inside a sampling loop: an expression whose free names are only compile-time values and
 * per-step values (the loop variable, tables indexed by it) is evaluated once per step at compile
 * time, giving a `stepwise` value; it turns into `gather(constant(table), iter)` only where a tensor
 * needs it. So `sqrt(1 - abar[ts[i]])` becomes one coefficient table, not a formula in the loop.
 */
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { tensorOf, type Attrs, type Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { formatSpan } from '../../compiler/core/ir/span.ts';
import type { DType } from '../../compiler/core/ir/types.ts';
import { checkLimit } from '../../compiler/core/limits.ts';
import type { ParameterSpec } from '../../compiler/core/artifact.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { EvalArg } from '../semantics/args.ts';
import { modelSignature, type ModelSignature } from '../semantics/signature.ts';
import { describe, expectInt, int, list, POISON, raise, sameValue, Scope, type ModuleInstance, type Value } from '../semantics/values.ts';
import { freeNames } from '../syntax/ast-walk.ts';
import type { BinaryOp, BlockDecl, Expr, Stmt } from '../syntax/ast.ts';
import { apply, call } from './call.ts';
import type { BodyResult, BuiltinFn, Lowerer, LoopFrame, SamplerFrame } from './context.ts';
import { member } from './member.ts';
import { binary, unary } from './operators.ts';
import { runStmts } from './stmt.ts';
import { index } from './subscript.ts';

export class ExprLowerer implements Lowerer {
  loop?: LoopFrame;
  sampler?: SamplerFrame;
  /** Set while evaluating a per-step expression for one step. */
  stepIndex?: number;
  readonly params: ParameterSpec[] = [];
  readonly instantiating: BlockDecl[] = [];
  readonly callSites: { name: string; span: Span }[] = [];
  loopSteps = 0;
  private readonly signatures = new Map<ModuleInstance, ModelSignature>();

  constructor(
    public b: GraphBuilder,
    readonly diagnostics: Diagnostic[],
    readonly builtins: ReadonlyMap<string, BuiltinFn>,
  ) {}

  expr(e: Expr, scope: Scope): Value {
    if (this.loop && this.stepIndex === undefined && this.isStepOnly(e, scope)) return this.perStep(e, scope);
    switch (e.kind) {
      case 'num':
        return { kind: 'num', value: e.value, int: e.isInt };
      case 'str':
        return { kind: 'str', value: e.value };
      case 'bool':
        return { kind: 'bool', value: e.value };
      case 'none':
        return { kind: 'none' };
      case 'name':
        return this.lookup(e.name, scope, e.span);
      case 'binary':
        return this.binaryExpr(e, scope);
      case 'unary':
        return unary(this, e.op, this.expr(e.operand, scope), e.span);
      case 'call':
        return call(this, e, scope);
      case 'index':
        return index(this, e, scope);
      case 'member':
        return member(this, this.expr(e.target, scope), e.name, e.span);
      case 'list':
        return list(e.elements.map((x) => this.expr(x, scope)));
      case 'comprehension':
        return this.comprehension(e, scope);
      case 'ifExpr':
        return this.ifExpr(e, scope);
    }
  }

  private binaryExpr(e: Extract<Expr, { kind: 'binary' }>, scope: Scope): Value {
    const left = this.expr(e.left, scope);
    if ((e.op === 'and' || e.op === 'or') && left.kind === 'bool' && left.value === (e.op === 'or')) return left;
    return binary(this, e.op, left, this.expr(e.right, scope), e.span);
  }

  binary(op: BinaryOp, a: Value, b: Value, span: Span): Value {
    return binary(this, op, a, b, span);
  }

  call(callee: Value, args: readonly EvalArg[], span: Span): Value {
    return apply(this, callee, args, span);
  }

  modelSignature(inst: ModuleInstance): ModelSignature {
    let sig = this.signatures.get(inst);
    if (!sig) {
      sig = modelSignature(this, inst);
      this.signatures.set(inst, sig);
    }
    return sig;
  }

  lookup(name: string, scope: Scope, span: Span): Value {
    const v = scope.lookup(name);
    if (v === undefined) return raise(DSL.UnknownName, `unknown name '${name}'`, span);
    if (v.kind === 'stepwise' && this.stepIndex !== undefined) return v.values[this.stepIndex];
    if (v.kind === 'weight') return { kind: 'tensor', node: this.b.weight(v.path, v.type, v.span) };
    return v;
  }

  iterate(start: Expr, end: Expr | undefined, scope: Scope): readonly Value[] {
    const a = this.expr(start, scope);
    if (!end) {
      if (a.kind === 'list') return a.items;
      return raise(DSL.BadOperands, `a loop runs over a range 'a .. b' or a list, got ${describe(a)}`, start.span);
    }
    const lo = expectInt(a, 'range start', start.span);
    const hi = expectInt(this.expr(end, scope), 'range end', end.span);
    checkLimit('rangeLength', hi - lo, `the range ${lo} .. ${hi}`, start.span);
    return Array.from({ length: Math.max(0, hi - lo) }, (_, k) => int(lo + k));
  }

  private comprehension(e: Extract<Expr, { kind: 'comprehension' }>, scope: Scope): Value {
    return list(
      this.iterate(e.start, e.end, scope).map((v) => {
        const inner = new Scope(scope);
        inner.define(e.variable.name, v);
        return this.expr(e.element, inner);
      }),
    );
  }

  private ifExpr(e: Extract<Expr, { kind: 'ifExpr' }>, scope: Scope): Value {
    const cond = this.expr(e.cond, scope);
    if (cond.kind === 'poison') return POISON;
    if (cond.kind === 'bool') return this.expr(cond.value ? e.then : e.else, scope);
    if (cond.kind === 'stepwise' || cond.kind === 'tensor') {
      const c = cond.kind === 'tensor' ? cond.node : this.toTensor(cond, e.cond.span, 'bool');
      const a = this.expr(e.then, scope),
        b = this.expr(e.else, scope);
      if (a.kind === 'poison' || b.kind === 'poison') return POISON;
      const like = a.kind === 'tensor' ? tensorOf(a.node).dtype : b.kind === 'tensor' ? tensorOf(b.node).dtype : 'f32';
      return this.tensorOp('where', [c, this.toTensor(a, e.then.span, like), this.toTensor(b, e.else.span, like)], {}, e.span);
    }
    return raise(DSL.BadCondition, `the condition must be a bool, got ${describe(cond)}`, e.cond.span);
  }

  /** True when the expression reads the step index and no tensor (so it can be tabulated). */
  private isStepOnly(e: Expr, scope: Scope): boolean {
    let step = false;
    for (const name of freeNames(e)) {
      const v = scope.lookup(name);
      if (!v) continue;
      if (v.kind === 'stepwise') step = true;
      else if (['tensor', 'weight', 'module', 'model', 'ctor'].includes(v.kind)) return false;
      else if (v.kind === 'builtin' && v.name === 'randn') return false;
    }
    return step;
  }

  private perStep(e: Expr, scope: Scope): Value {
    const values: Value[] = [];
    try {
      for (let k = 0; k < this.loop!.count; k++) {
        this.stepIndex = k;
        values.push(this.expr(e, scope));
      }
    } finally {
      this.stepIndex = undefined;
    }
    if (values.some((v) => v.kind === 'poison')) return POISON;
    return values.length > 0 && values.every((v) => sameValue(v, values[0])) ? values[0] : { kind: 'stepwise', values };
  }

  tensorOp(op: string, inputs: readonly Node[], attrs: Attrs, span: Span): Value {
    return { kind: 'tensor', node: this.b.op(op, inputs, attrs, span) };
  }

  toTensor(v: Value, span: Span, dtype: DType = 'f32'): Node {
    switch (v.kind) {
      case 'tensor':
        return v.node;
      case 'num':
      case 'bool':
        return this.constantOf([v], [], span, dtype);
      case 'list':
        return this.constantOf(flatten(v, span), listShape(v), span, dtype);
      case 'stepwise': {
        if (!this.loop) raise(DSL.Internal, 'a per-step value outside a sampling loop', span);
        // Tables are f32 or i32 constants; the one scalar read per step is cast if needed.
        const base: DType = dtype === 'f32' || dtype === 'f16' || dtype === 'bf16' ? 'f32' : 'i32';
        // Math.fround: a value past the f32 range is an infinity in the f32 table.
        const bad = v.values.findIndex((x) => x.kind === 'num' && !Number.isFinite(Math.fround(x.value)));
        const badValue = v.values[bad];
        if (badValue?.kind === 'num') {
          raise(
            DSL.NonFiniteTable,
            `this per-step coefficient is ${badValue.value} (not finite in f32) at step ${bad} of ${v.values.length}: ` +
              "the sampler's options or step count give a table that is not finite",
            span,
          );
        }
        const table = this.constantOf(v.values, [v.values.length], span, base);
        const at = this.b.op('gather', [table, this.loop.iter], { axis: 0 }, span);
        return dtype === base ? at : this.b.op('cast', [at], { dtype }, span);
      }
      default:
        return raise(DSL.BadOperands, `expected a tensor or a number, got ${describe(v)}`, span);
    }
  }

  private constantOf(values: readonly Value[], shape: number[], span: Span, dtype: DType): Node {
    const nums = values.map((x) => {
      if (x.kind === 'num') return x.value;
      if (x.kind === 'bool') return x.value ? 1 : 0;
      return raise(DSL.BadOperands, `expected numbers, got ${describe(x)}`, span);
    });
    if (dtype === 'i32' || dtype === 'bool' || dtype === 'u32') {
      const bad = nums.find((x) => !Number.isInteger(x));
      if (bad !== undefined) raise(DSL.BadOperands, `${bad} is not an integer but the tensor is ${dtype}`, span);
      const c = this.b.constant(Int32Array.from(nums), shape, span);
      return dtype === 'i32' ? c : this.b.op('cast', [c], { dtype }, span);
    }
    const c = this.b.constant(Float32Array.from(nums), shape, span);
    return dtype === 'f32' ? c : this.b.op('cast', [c], { dtype }, span);
  }

  stmts(stmts: readonly Stmt[], scope: Scope): BodyResult | undefined {
    return runStmts(this, stmts, scope);
  }

  record(e: unknown): void {
    if (!(e instanceof DenocError)) throw e;
    for (const d of e.diagnostics) {
      const site = this.callSites[this.callSites.length - 1];
      const hint = d.hint ?? (site && d.severity === 'error' ? `in ${site.name}, called at ${formatSpan(site.span)}` : undefined);
      this.diagnostics.push({ ...d, hint });
    }
  }
}

function flatten(v: Value, span: Span): Value[] {
  return v.kind === 'list' ? v.items.flatMap((x) => flatten(x, span)) : [v];
}

function listShape(v: Value): number[] {
  return v.kind === 'list' ? [v.items.length, ...(v.items.length ? listShape(v.items[0]) : [])] : [];
}
