/**
 * The interfaces of lowering, below every other lowering file so that nothing needs the engine class:
 *
 *   Lowerer         what the lowering files see of the engine (the class in expr.ts); they recurse
 *                   through it (expr → call → expr, stmt → loop → stmt) instead of importing each other
 *   BuiltinContext  the narrow part that builtin functions (dsl/builtins/) see: the graph being built,
 *                   the sampler and loop frames, tensor conversion, operators and calls
 *   BuiltinFn       a builtin's implementation; lowering gets the table of them from its caller
 */
import type { Diagnostic } from '../../compiler/core/diagnostics.ts';
import type { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Attrs, Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { DType } from '../../compiler/core/ir/types.ts';
import type { ParameterSpec, TrainingMeaning } from '../../compiler/core/artifact.ts';
import type { EvalArg } from '../semantics/args.ts';
import type { ModelSignature } from '../semantics/signature.ts';
import type { ModuleInstance, Scope, Value } from '../semantics/values.ts';
import type { BinaryOp, BlockDecl, Expr, Stmt } from '../syntax/ast.ts';

export interface LoopFrame {
  readonly iter: Node;
  readonly count: number;
}

/** Per-sampler state: the seed and conditioning inputs (as seen from the current graph level). */
export interface SamplerFrame {
  seed: Node;
  cond: readonly Node[];
  readonly streams: { next: number };
  /** What the sampler's plan assumes the model learned (set by `sampling_plan`); the artifact carries it. */
  training?: TrainingMeaning;
}

/** What a model instance declares about its training (prediction, schedule, T, ...), defaults filled in. */
export type DeclaredTraining = (model: ModuleInstance) => TrainingMeaning;

/** The value of a statement list's `return`, and where that return is. */
export interface BodyResult {
  readonly value: Value;
  readonly span: Span;
}

/** What a builtin function may use while it lowers one call. */
export interface BuiltinContext {
  /** The graph being built: the model's or sampler's, or a sampling loop's body. */
  readonly b: GraphBuilder;
  /** Set inside a sampling loop. */
  readonly loop?: LoopFrame;
  /** Set while lowering a sampler. */
  readonly sampler?: SamplerFrame;
  tensorOp(op: string, inputs: readonly Node[], attrs: Attrs, span: Span): Value;
  /** A tensor for a value: numbers become scalar constants, per-step values become table lookups. */
  toTensor(v: Value, span: Span, dtype?: DType): Node;
  /** The language's binary operator on two values (broadcasting, compile-time folding). */
  binary(op: BinaryOp, a: Value, b: Value, span: Span): Value;
  /** Calls a callable value with evaluated arguments, exactly as a call expression would. */
  call(callee: Value, args: readonly EvalArg[], span: Span): Value;
  /** A model's inputs with pattern variables left symbolic; computed once per instance. */
  modelSignature(inst: ModuleInstance): ModelSignature;
}

export type BuiltinFn = (ctx: BuiltinContext, args: readonly EvalArg[], span: Span) => Value;

/** The lowering engine as the lowering files see it. */
export interface Lowerer extends BuiltinContext {
  b: GraphBuilder;
  loop?: LoopFrame;
  sampler?: SamplerFrame;
  readonly builtins: ReadonlyMap<string, BuiltinFn>;
  readonly diagnostics: Diagnostic[];
  readonly params: ParameterSpec[];
  /** Blocks being instantiated, innermost last (to reject recursion). */
  readonly instantiating: BlockDecl[];
  /** Inlined calls, innermost last (to name the call chain in hints). */
  readonly callSites: { name: string; span: Span }[];
  /** Total step count of the sampling loops lowered so far. */
  loopSteps: number;
  expr(e: Expr, scope: Scope): Value;
  lookup(name: string, scope: Scope, span: Span): Value;
  /** Values of a range `a .. b` or the items of a list, for loops and comprehensions. */
  iterate(start: Expr, end: Expr | undefined, scope: Scope): readonly Value[];
  stmts(stmts: readonly Stmt[], scope: Scope): BodyResult | undefined;
  /** Records a diagnostic thrown while lowering; adds the call chain when inside a block. */
  record(e: unknown): void;
}
