/**
 * What a model must learn so that its samplers are right: the noise schedule, the model's time input
 * at each noise level, and the prediction type (ε, x0 or v). Samplers read these from the model's
 * declarations (`prediction = "v"`, `schedule = "cosine"`, `T = 1000`, `zero_snr = true`,
 * `null_class = 10`, as members or parameter defaults) and from their own options, which default to
 * "model" (dsl/builtins/samplers.ts); this module reads the same declarations from the source so
 * training uses exactly the schedule the samplers invert. Only literal values are read.
 *
 * Time inputs: discrete schedules feed the timestep index t ∈ {0, …, T−1} (α_t = √ᾱ_t of the table);
 * "cosine_continuous" feeds t ∈ [1e-3, 0.9946] (1 with zero SNR), the range its samplers visit.
 *
 *   TRN0401 a declaration the samplers read is not a literal, or has an unknown value
 *   TRN0402 the model's samplers disagree on schedule or prediction (pick one with --sampler)
 *   TRN0403 no sampler of that name uses the model
 */
import { readFileSync } from 'node:fs';
import { fail } from '../../compiler/core/diagnostics.ts';
import * as S from '../../compiler/schedules/index.ts';
import type { Arg, BlockDecl, Expr, SamplerDecl, SamplerInstance } from '../../dsl/syntax/ast.ts';
import { loadProgram } from '../../dsl/semantics/resolve.ts';

export type Prediction = 'eps' | 'x0' | 'v';
const PREDICTIONS: readonly Prediction[] = ['eps', 'x0', 'v'];
const SCHEDULES = ['linear', 'scaled_linear', 'cosine', 'cosine_continuous'] as const;
/** Continuous time's end points, as the samplers use them (dsl/builtins/samplers.ts, after Lu et al. 2022). */
const CONTINUOUS_END = 1e-3;
const COSINE_START = 0.9946;

/** Noise levels for a batch: the model's time input and x_t = α·x0 + σ·ε. */
export interface Levels {
  readonly t: Float32Array;
  readonly alpha: Float64Array;
  readonly sigma: Float64Array;
}

export interface TrainingSpec {
  readonly prediction: Prediction;
  readonly schedule: (typeof SCHEDULES)[number];
  readonly zeroSnr: boolean;
  /** Discrete timesteps (unused by cosine_continuous). */
  readonly T: number;
  /** The label meaning "no class", if the model declares one (classifier-free guidance). */
  readonly nullClass?: number;
  /** Levels for uniforms u ∈ (0, 1): uniform over the timesteps, or over continuous time. */
  levels(u: ArrayLike<number>): Levels;
}

type Literal = string | number | boolean;
type Settings = Map<string, Literal>;
const READ = ['prediction', 'schedule', 'zero_snr', 'T', 'null_class'];

function literal(e: Expr, what: string): Literal {
  if (e.kind === 'str' || e.kind === 'num' || e.kind === 'bool') return e.value;
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'num') return -e.operand.value;
  return fail('TRN0401', `${what} is not a literal; training reads only literal values of ${READ.join(', ')}`, e.span);
}

/** The model's own declarations: parameter defaults, overridden by members. */
function declared(model: BlockDecl): Settings {
  const out: Settings = new Map();
  for (const p of model.params) if (READ.includes(p.name) && p.default) out.set(p.name, literal(p.default, `${model.name}'s ${p.name}`));
  for (const m of model.members) if (READ.includes(m.name)) out.set(m.name, literal(m.value, `${model.name}.${m.name}`));
  return out;
}

/** Named and positional arguments of a call, by parameter name. */
function argsByName(args: readonly Arg[], params: readonly string[], what: string): Settings {
  const out: Settings = new Map();
  args.forEach((a, i) => {
    const name = a.name ?? params[i];
    if (name && READ.includes(name)) out.set(name, literal(a.value, `${what} argument ${name}`));
  });
  return out;
}

function calleeName(e: Expr): string | undefined {
  if (e.kind === 'name') return e.name;
  return e.kind === 'call' && e.callee.kind === 'name' ? e.callee.name : undefined;
}

interface Source {
  readonly models: Map<string, BlockDecl>;
  readonly samplers: Map<string, SamplerDecl>;
  readonly instances: readonly SamplerInstance[];
}

function readSource(file: string): Source {
  const loaded = loadProgram(readFileSync(file, 'utf8'), file);
  const models = new Map<string, BlockDecl>();
  const samplers = new Map<string, SamplerDecl>();
  for (const mod of loaded.modules) {
    for (const d of mod.ast.decls) {
      if (d.kind === 'block' && d.isModel) models.set(d.name, d);
      if (d.kind === 'sampler') samplers.set(d.name, d);
    }
  }
  return { models, samplers, instances: loaded.main?.ast.instances ?? [] };
}

/** Settings one sampler instance resolves for the model: its options over the model's declarations. */
function resolveInstance(src: Source, inst: SamplerInstance, model: BlockDecl): Settings {
  const settings = declared(model);
  if (inst.call.kind !== 'call') return settings;
  const modelArg = inst.call.args[0]?.value;
  if (modelArg?.kind === 'call') {
    for (const [k, v] of argsByName(modelArg.args, model.params.map((p) => p.name), model.name)) settings.set(k, v);
  }
  const decl = src.samplers.get(calleeName(inst.call) ?? '');
  const params = decl?.params.map((p) => p.name) ?? [];
  const options: Settings = new Map();
  for (const p of decl?.params ?? []) if (READ.includes(p.name) && p.default) options.set(p.name, literal(p.default, `${decl!.name}'s ${p.name}`));
  for (const [k, v] of argsByName(inst.call.args, params, inst.name)) options.set(k, v);
  for (const [k, v] of options) {
    // "model" and the defaults that mean "not set" leave the model's declaration in force
    if (v === 'model' || (k === 'zero_snr' && v === false) || (k === 'null_class' && v === -1)) continue;
    settings.set(k, v);
  }
  return settings;
}

function modelOfInstance(inst: SamplerInstance): string | undefined {
  return inst.call.kind === 'call' && inst.call.args[0] ? calleeName(inst.call.args[0].value) : undefined;
}

function discreteSchedule(name: string, T: number, zeroSnr: boolean): S.VpSchedule {
  // the same tables dsl/builtins/samplers.ts builds for the samplers
  const sched = name === 'scaled_linear' ? S.scaledLinear(0.00085, 0.012, T) : name === 'cosine' ? S.cosine(T) : S.linear(1e-4, 0.02, T);
  return zeroSnr ? S.rescaleZeroTerminalSnr(sched) : sched;
}

function choice<T extends string>(value: Literal | undefined, allowed: readonly T[], dflt: T, what: string): T {
  if (value === undefined) return dflt;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return fail('TRN0401', `unknown ${what} ${JSON.stringify(value)} (expected ${allowed.join(', ')})`);
}

function specOf(s: Settings): TrainingSpec {
  const prediction = choice(s.get('prediction'), PREDICTIONS, 'eps', 'prediction');
  const schedule = choice(s.get('schedule'), SCHEDULES, 'linear', 'schedule');
  const zeroSnr = s.get('zero_snr') === true;
  const T = typeof s.get('T') === 'number' ? (s.get('T') as number) : 1000;
  const nc = s.get('null_class');
  const nullClass = typeof nc === 'number' && nc >= 0 ? nc : undefined;
  if (schedule === 'cosine_continuous') {
    const start = zeroSnr ? 1 : COSINE_START;
    return { prediction, schedule, zeroSnr, T, nullClass, levels: (u) => continuousLevels(u, start) };
  }
  const table = discreteSchedule(schedule, T, zeroSnr);
  return { prediction, schedule, zeroSnr, T, nullClass, levels: (u) => discreteLevels(u, table) };
}

function discreteLevels(u: ArrayLike<number>, table: S.VpSchedule): Levels {
  const t = Float32Array.from(u, (x) => Math.min(table.T - 1, Math.floor(x * table.T)));
  return { t, alpha: Float64Array.from(t, (k) => table.alpha[k]), sigma: Float64Array.from(t, (k) => table.sigma[k]) };
}

/** α² = sigmoid(2λ), σ² = sigmoid(−2λ) at the continuous cosine log-SNR λ(t). */
function continuousLevels(u: ArrayLike<number>, start: number): Levels {
  const t = Float64Array.from(u, (x) => CONTINUOUS_END + x * (start - CONTINUOUS_END));
  const lambda = t.map((x) => S.cosineLogSnr(x));
  return {
    t: Float32Array.from(t),
    alpha: lambda.map((l) => Math.sqrt(1 / (1 + Math.exp(-2 * l)))),
    sigma: lambda.map((l) => Math.sqrt(1 / (1 + Math.exp(2 * l)))),
  };
}

const key = (s: TrainingSpec): string => `prediction ${s.prediction}, schedule ${s.schedule}${s.zeroSnr ? ' (zero SNR)' : ''}, T ${s.T}`;

/**
 * The spec of `modelName` in `file`: from the sampler named `samplerName`, or from every sampler
 * of the model (which must agree), or from the model's declarations when no sampler uses it.
 */
export function trainingSpec(file: string, modelName: string, samplerName?: string): TrainingSpec {
  const src = readSource(file);
  const model = src.models.get(modelName);
  if (!model) return specOf(new Map());
  const uses = src.instances.filter((i) => modelOfInstance(i) === modelName && (samplerName === undefined || i.name === samplerName));
  if (samplerName !== undefined && uses.length === 0) {
    fail('TRN0403', `no sampler named '${samplerName}' samples model ${modelName} in ${file}`);
  }
  if (uses.length === 0) return specOf(declared(model));
  const specs = uses.map((i) => ({ name: i.name, spec: specOf(resolveInstance(src, i, model)) }));
  const differing = specs.find((s) => key(s.spec) !== key(specs[0].spec));
  if (differing) {
    fail('TRN0402', `samplers of ${modelName} need different training: '${specs[0].name}' (${key(specs[0].spec)}) and '${differing.name}' (${key(differing.spec)})`,
      undefined, 'choose the sampler to train for with --sampler');
  }
  return specs[0].spec;
}

export function describeSpec(spec: TrainingSpec): string {
  return key(spec);
}
