/**
 * Lowers a checked program to IR: one graph per `model` declared in the main file and one per
 * `sampler name = template(Model, ...)` instance.
 *
 * Model graph:   params = the forward fn's inputs (symbolic dims such as B kept), outputs = its
 *                results; parameters are `weight` nodes named by dotted path, listed with their
 *                init specs in ModelArtifact.parameters.
 * Sampler graph: params = (seed: i32[], ...the model's conditioning inputs, i.e. those after x, t);
 *                the model's forward is inlined into the sampling loop's body.
 */
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Node } from '../../compiler/core/ir/node.ts';
import { formatSpan, type Span } from '../../compiler/core/ir/span.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import type { ModelArtifact, SamplerArtifact, TrainingMeaning } from '../../compiler/core/artifact.ts';
import { DSL } from '../diagnostic-codes.ts';
import { bindArgs, requireArgs } from '../semantics/args.ts';
import type { LoadedModule } from '../semantics/resolve.ts';
import { describe, raise, Scope, tensor, type ModuleInstance, type Value } from '../semantics/values.ts';
import type { BlockDecl, SamplerInstance } from '../syntax/ast.ts';
import { callModule, evalArgs } from './call.ts';
import type { BuiltinFn, DeclaredTraining, Lowerer, SamplerFrame } from './context.ts';
import { ExprLowerer } from './expr.ts';
import { checkKind, instantiate } from './instantiate.ts';

export type { ModelArtifact, SamplerArtifact };

type Builtins = ReadonlyMap<string, BuiltinFn>;

export interface Lowered {
  readonly models: ModelArtifact[];
  readonly samplers: SamplerArtifact[];
  readonly diagnostics: Diagnostic[];
}

/** Runs `f`, recording its errors; returns undefined when it (or anything inside it) reported one. */
function attempt<T>(lw: Lowerer, f: () => T): T | undefined {
  const before = lw.diagnostics.length;
  try {
    const out = f();
    return lw.diagnostics.length === before ? out : undefined;
  } catch (e) {
    lw.record(e);
    return undefined;
  }
}

function outputs(v: Value, span: Span): Node[] {
  const items = v.kind === 'tuple' ? v.items : [v];
  return items.map((x) => (x.kind === 'tensor' ? x.node : raise(DSL.ReturnMismatch, `a graph returns tensors, got ${describe(x)}`, span)));
}

function lowerModel(
  decl: BlockDecl,
  scope: Scope,
  diagnostics: Diagnostic[],
  builtins: Builtins,
  declared: DeclaredTraining,
): ModelArtifact | undefined {
  const b = new GraphBuilder(decl.name);
  const lw = new ExprLowerer(b, diagnostics, builtins);
  return attempt(lw, () => {
    const inst = instantiate(lw, { kind: 'block', decl, scope }, [], '', decl.nameSpan);
    const inputs = lw.modelSignature(inst).params.map((p) => tensor(b.param(p.name, p.type, p.span)));
    const out = callModule(
      lw,
      inst,
      inputs.map((value) => ({ value, span: decl.nameSpan })),
      decl.nameSpan,
      true,
    );
    const graph = b.finish(out.kind === 'poison' ? [] : outputs(out, decl.span));
    return { name: decl.name, graph, parameters: lw.params, training: declaredOrAbsent(declared, inst), span: decl.span };
  });
}

/**
 * The model's declared training, or nothing when its declarations are invalid: that error is the
 * samplers' to report (at their instantiation), and training refuses such a model (TRN0404).
 */
function declaredOrAbsent(declared: DeclaredTraining, inst: ModuleInstance): TrainingMeaning | undefined {
  try {
    return declared(inst);
  } catch (e) {
    if (e instanceof DenocError) return undefined;
    throw e;
  }
}

/** Binds a sampler template's parameters; the Model argument is instantiated as the model root. */
function bindSampler(
  lw: Lowerer,
  inst: SamplerInstance,
  scope: Scope,
): { model: ModuleInstance; body: Scope; steps?: number; decl: Value & { kind: 'sampler' } } {
  const call = inst.call as Extract<SamplerInstance['call'], { kind: 'call' }>;
  const callee = lw.expr(call.callee, scope);
  if (callee.kind !== 'sampler') raise(DSL.BadSampler, `${describe(callee)} is not a sampler`, call.callee.span);
  const decl = callee.decl;
  const names = decl.params.map((p) => p.name);
  const bound = bindArgs(decl.name, names, evalArgs(lw, call, scope));
  requireArgs(
    decl.name,
    decl.params.filter((p) => !p.default).map((p) => p.name),
    bound,
    call.span,
  );
  const body = new Scope(callee.scope);
  let model: ModuleInstance | undefined;
  for (const p of decl.params) {
    const a = bound.get(p.name);
    const typeName = p.type.kind === 'scalarType' ? p.type.name : 'int';
    const v = checkKind(a ? a.value : lw.expr(p.default!, body), typeName, `${decl.name} argument '${p.name}'`, a?.span ?? p.span);
    if (typeName === 'Model' && v.kind === 'ctor') {
      if (v.ctor.kind !== 'block' || !v.ctor.decl.isModel)
        raise(DSL.ArgType, `${describe(v)} is not a model (declare it with 'model')`, a?.span ?? p.span);
      model = instantiate(lw, v.ctor, [], '', a?.span ?? p.span);
      body.define(p.name, { kind: 'model', inst: model });
    } else body.define(p.name, v);
  }
  const steps = body.lookup('steps');
  return { model: model!, body, steps: steps?.kind === 'num' ? steps.value : undefined, decl: callee };
}

/**
 * A mistake inside a standard-library sampler comes from the options it was instantiated with (std
 * cannot be edited), so it is reported at the instantiation; the hint names the std line.
 */
function blameInstance(diagnostics: Diagnostic[], from: number, inst: SamplerInstance): void {
  for (let k = from; k < diagnostics.length; k++) {
    const d = diagnostics[k];
    if (d.severity !== 'error' || !d.span?.file.startsWith('std/')) continue;
    const where = `raised in ${formatSpan(d.span)}`;
    diagnostics[k] = { ...d, span: inst.call.span, hint: d.hint ? `${d.hint} (${where})` : where };
  }
}

function lowerSampler(
  inst: SamplerInstance,
  scope: Scope,
  diagnostics: Diagnostic[],
  builtins: Builtins,
  declared: DeclaredTraining,
): SamplerArtifact | undefined {
  const b = new GraphBuilder(inst.name);
  const lw = new ExprLowerer(b, diagnostics, builtins);
  const before = diagnostics.length;
  const artifact = attempt(lw, () => {
    const { model, body, steps, decl } = bindSampler(lw, inst, scope);
    const sig = lw.modelSignature(model);
    if (sig.params.length < 2) raise(DSL.BadModelCall, `model ${model.name} must take (x, t, ...) to be sampled`, inst.call.span);
    const seed = b.param('seed', tensorType('i32', []), inst.span);
    const cond = sig.params.slice(2).map((p) => b.param(p.name, p.type, p.span));
    const frame: SamplerFrame = { seed, cond, streams: { next: 0 } };
    lw.sampler = frame;
    const result = lw.stmts(decl.decl.body, body);
    if (!result || result.value.kind === 'poison') return undefined;
    const graph = b.finish(outputs(result.value, result.span));
    // a sampler without a sampling_plan (one that calls its model directly) assumes what the model declares
    const training = frame.training ?? declared(model);
    return { name: inst.name, modelName: model.name, graph, steps: steps ?? lw.loopSteps, parameters: lw.params, training, span: inst.span };
  });
  blameInstance(diagnostics, before, inst);
  return artifact;
}

/**
 * Lowers the main file's models and sampler instances; `builtins` implements the builtin names and
 * `declared` reads a model's training declarations (both from dsl/builtins/).
 */
export function lowerProgram(main: LoadedModule, builtins: Builtins, declared: DeclaredTraining): Lowered {
  const diagnostics: Diagnostic[] = [];
  const models: ModelArtifact[] = [];
  const samplers: SamplerArtifact[] = [];
  for (const decl of main.ast.decls) {
    if (decl.kind !== 'block' || !decl.isModel) continue;
    const m = lowerModel(decl, main.scope, diagnostics, builtins, declared);
    if (m) models.push(m);
  }
  for (const inst of main.ast.instances) {
    const s = lowerSampler(inst, main.scope, diagnostics, builtins, declared);
    if (s) samplers.push(s);
  }
  return { models, samplers, diagnostics };
}
