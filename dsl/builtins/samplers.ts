/**
 * Compile-time builtins behind the standard samplers (std/samplers.dn), over compiler/schedules:
 *
 *   m = denoiser(model, prediction: "model", guidance: 1.0, guidance_rescale: 0.0, null_class: -1)
 *       the model with its parameterization (ε, x0 or v) and classifier-free guidance attached
 *   x0, eps = denoise(m, x, t, alpha, sigma)
 *       one (guided) model evaluation at noise level (alpha, sigma), as data and noise predictions
 *   p = sampling_plan(m, steps, schedule:, spacing:, sigmas:, rho:, final:, zero_snr:, offset:)
 *       the noise levels a sampler visits (p.alpha, p.sigma, p.lambda, p.ve: steps + 1 entries, first
 *       the noisiest), the model's time input at each (p.t), and p.levels for the solver tables
 *   sigma_time(p, sigmas)          model times of arbitrary VE sigmas (EDM churn evaluates between levels)
 *   vp_schedule(name, T:, zero_snr:)   a schedule record by name, for models that gather α_t, σ_t
 *   ok = check(condition, message)   rejects an out-of-range option (SMP0001)
 *   cosine_log_snr, cosine_time, spacing_uniform_time, logsnr_sigmas: the rest of compiler/schedules
 *
 * A model declares what it was trained with as members or parameters (`prediction = "v"`,
 * `schedule = "cosine"`, `zero_snr = true`, `T = 1000`, `null_class = 10`); sampler options default
 * to those and may not contradict them. Everything here runs at compile time; per-step values
 * (`p.alpha[i]`) become constant tables in the sampling loop.
 *
 * Codes (docs/samplers.md): SMP0001 bad option value (unknown name, out of range) · SMP0002 option
 * contradicts the model (prediction, schedule, ε-prediction at zero SNR) · SMP0003 guidance the model
 * cannot take · SMP0004 unsupported option combination. Schedule math keeps its SCH codes; both are
 * reported at the builtin call, which lowering re-reports at the sampler instantiation.
 */
import { DenocError, fail, suggest, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { tensorOf, type Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import * as S from '../../compiler/schedules/index.ts';
import { requireInt } from '../../compiler/schedules/check.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { BuiltinContext, BuiltinFn, DeclaredTraining } from '../lower/context.ts';
import { bool, describe, int, list, num, POISON, raise, tensor, type DenoiserConfig, type ModuleInstance, type Value } from '../semantics/values.ts';
import { builtin, type Args } from './define.ts';
import { COMPTIME_BUILTINS } from './schedules.ts';

export const SAMPLER_CODES = {
  badOption: 'SMP0001',
  contradicts: 'SMP0002',
  guidance: 'SMP0003',
  unsupported: 'SMP0004',
} as const;

const PREDICTIONS = ['eps', 'x0', 'v'] as const;
type Prediction = (typeof PREDICTIONS)[number];
const SCHEDULES = ['linear', 'scaled_linear', 'cosine', 'cosine_continuous'] as const;
const SPACINGS = ['auto', 'trailing', 'linspace', 'leading', 'uniform'] as const;
const SIGMAS = ['timesteps', 'karras', 'exponential', 'logsnr'] as const;
const FINALS = ['clean', 'first'] as const;
/** Continuous time stops short of t = 0, where log-SNR is infinite (DPM-Solver's default end, Lu et al. 2022). */
const CONTINUOUS_END = 1e-3;
const COSINE_START = 0.9946;

type ModelValue = Extract<Value, { kind: 'model' }>;
type Arith = (op: '+' | '-' | '*' | '/', p: Value, q: Value) => Value;

/** `value` must be one of `allowed`; otherwise SMP0001 with a "did you mean". */
function choose<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const near = suggest(value, allowed);
  return fail(
    SAMPLER_CODES.badOption,
    `unknown ${what} "${value}" (expected ${allowed.map((x) => `"${x}"`).join(', ')})`,
    undefined,
    near ? `did you mean "${near}"?` : undefined,
  );
}

/** A builtin whose spanless errors (schedule math, option checks) are reported at the call. */
function samplerBuiltin(what: string, params: readonly string[], required: number, impl: (a: Args, ctx: BuiltinContext) => Value): BuiltinFn {
  return builtin(what, params, required, (a, ctx) => {
    try {
      return impl(a, ctx);
    } catch (e) {
      if (!(e instanceof DenocError)) throw e;
      throw new DenocError(e.diagnostics.map((d): Diagnostic => ({ ...d, span: d.span ?? a.span })));
    }
  });
}

function modelOf(a: Args): ModelValue {
  const v = a.value('model');
  if (v.kind !== 'model') raise(DSL.ArgType, `${a.what} argument 'model' must be a model, got ${describe(v)}`, a.spanOf('model'));
  return v;
}

/** The language's operators (broadcasting, per-step values become table lookups) at one span. */
const arith =
  (ctx: BuiltinContext, span: Span): Arith =>
  (op, p, q) =>
    ctx.binary(op, p, q, span);

/** What the model declares about its training (`prediction = "v"` as a member or parameter). */
function attr(inst: ModuleInstance, name: string, kind: 'str' | 'num' | 'bool'): string | number | boolean | undefined {
  if (!inst.scope.hasOwn(name)) return undefined;
  const v = inst.scope.lookup(name)!;
  if (v.kind !== kind)
    fail(SAMPLER_CODES.badOption, `model ${inst.name} declares ${name} = ${describe(v)}, expected a ${kind === 'num' ? 'number' : kind}`);
  return (v as { value: string | number | boolean }).value;
}

/** A sampler option that defaults to (and may not contradict) the model's declaration. */
function agreed<T extends string>(inst: ModuleInstance, name: string, option: string, allowed: readonly T[], dflt: T): T {
  const declared = attr(inst, name, 'str') as string | undefined;
  if (declared !== undefined) choose(`${name} declared by model ${inst.name}`, declared, allowed);
  if (option === 'model') return (declared ?? dflt) as T;
  const asked = choose(name, option, allowed);
  if (declared !== undefined && declared !== asked) {
    fail(
      SAMPLER_CODES.contradicts,
      `the sampler asks for ${name} "${asked}" but model ${inst.name} declares ${name} = "${declared}"`,
      undefined,
      `leave ${name} at "model" to use the model's`,
    );
  }
  return asked;
}

function configOf(v: ModelValue): DenoiserConfig {
  return v.denoiser ?? { prediction: agreed(v.inst, 'prediction', 'model', PREDICTIONS, 'eps'), guidance: 1, rescale: 0, nullClass: -1 };
}

/** The label meaning "no class": the denoiser's option, else the model's declaration; absent when neither. */
function nullClassOf(v: ModelValue): number | undefined {
  const nc = v.denoiser && v.denoiser.nullClass >= 0 ? v.denoiser.nullClass : ((attr(v.inst, 'null_class', 'num') as number | undefined) ?? -1);
  return Number.isInteger(nc) && nc >= 0 ? nc : undefined;
}

/** What a model declares about its training, with the defaults samplers use when it declares nothing. */
export const declaredTraining: DeclaredTraining = (inst) => {
  const v: ModelValue = { kind: 'model', inst };
  return {
    prediction: configOf(v).prediction,
    schedule: agreed(inst, 'schedule', 'model', SCHEDULES, 'linear'),
    T: (attr(inst, 'T', 'num') as number | undefined) ?? 1000,
    zeroSnr: attr(inst, 'zero_snr', 'bool') === true,
    nullClass: nullClassOf(v),
  };
};

function makeDenoiser(a: Args, ctx: BuiltinContext): Value {
  const { inst } = modelOf(a);
  const prediction = agreed(inst, 'prediction', a.str('prediction', 'model'), PREDICTIONS, 'eps');
  const guidance = a.num('guidance', 1);
  const rescale = a.num('guidance_rescale', 0);
  if (!Number.isFinite(guidance)) fail(SAMPLER_CODES.guidance, `guidance must be a finite number, got ${guidance}`);
  if (!(rescale >= 0 && rescale <= 1)) fail(SAMPLER_CODES.guidance, `guidance_rescale must be in [0, 1], got ${rescale}`);
  let nullClass = a.int('null_class', -1);
  if (guidance !== 1) {
    const cond = ctx.modelSignature(inst).params.slice(2);
    if (cond.length !== 1 || cond[0].type.dtype !== 'i32') {
      fail(
        SAMPLER_CODES.guidance,
        'classifier-free guidance needs a model with one class-label input (x, t, y: i32[B]); ' +
          `model ${inst.name} has ${cond.length} conditioning input(s)`,
      );
    }
    if (nullClass < 0) nullClass = (attr(inst, 'null_class', 'num') as number | undefined) ?? -1;
    if (!Number.isInteger(nullClass) || nullClass < 0) {
      fail(
        SAMPLER_CODES.guidance,
        `classifier-free guidance needs the label that means "no class": model ${inst.name} declares no null_class`,
        undefined,
        'declare `null_class = <label>` in the model, or pass null_class: to the sampler',
      );
    }
  }
  return { kind: 'model', inst, denoiser: { prediction, guidance, rescale, nullClass } };
}

/** Calls the model exactly as `model(x, t, ...)` does in a sampler (timestep broadcast, conditioning passed on). */
function callModel(ctx: BuiltinContext, model: Value, args: readonly Value[], span: Span): Value {
  return ctx.call(
    model,
    args.map((value) => ({ value, span })),
    span,
  );
}

/** The model output with classifier-free guidance (Ho & Salimans 2022) and guidance rescale (Lin et al. 2023, §3.4). */
function guidedOutput(ctx: BuiltinContext, model: ModelValue, cfg: DenoiserConfig, x: Value, t: Value, span: Span): Value {
  const cond = callModel(ctx, model, [x, t], span);
  if (cfg.guidance === 1 || cond.kind !== 'tensor') return cond;
  const condType = ctx.modelSignature(model.inst).params[2].type;
  const label = ctx.tensorOp('broadcast_to', [ctx.toTensor(int(cfg.nullClass), span, 'i32')], { shape: condType.shape }, span);
  const uncond = callModel(ctx, model, [x, t, label], span);
  if (uncond.kind !== 'tensor') return uncond;
  const op = arith(ctx, span);
  const guided = op('+', uncond, op('*', num(cfg.guidance, false), op('-', cond, uncond)));
  if (cfg.rescale === 0 || guided.kind !== 'tensor') return guided;
  // std over every axis but the batch: φ·g·std(c)/std(g) + (1-φ)·g
  const axes = Array.from({ length: tensorOf(cond.node).shape.length - 1 }, (_, k) => k + 1);
  const std = (v: Node): Value => ctx.tensorOp('sqrt', [ctx.b.op('variance', [v], { axes, keepdims: true }, span)], {}, span);
  const rescaled = op('/', op('*', guided, std(cond.node)), std(guided.node));
  return op('+', op('*', num(cfg.rescale, false), rescaled), op('*', num(1 - cfg.rescale, false), guided));
}

/** (x0, ε) from the model output by its parameterization; x_t = α·x0 + σ·ε, v = α·ε − σ·x0 (Salimans & Ho 2022). */
function predictions(op: Arith, prediction: Prediction, x: Value, out: Value, alpha: Value, sigma: Value): Value[] {
  if (prediction === 'eps') return [op('/', op('-', x, op('*', sigma, out)), alpha), out];
  if (prediction === 'x0') return [out, op('/', op('-', x, op('*', alpha, out)), sigma)];
  return [op('-', op('*', alpha, x), op('*', sigma, out)), op('+', op('*', sigma, x), op('*', alpha, out))];
}

function denoise(a: Args, ctx: BuiltinContext): Value {
  const model = modelOf(a);
  const cfg = configOf(model);
  const x = tensor(a.tensor(ctx, 'x'));
  const out = guidedOutput(ctx, model, cfg, x, a.value('t'), a.span);
  if (out.kind !== 'tensor') return POISON;
  return { kind: 'tuple', items: predictions(arith(ctx, a.span), cfg.prediction, x, out, a.value('alpha'), a.value('sigma')) };
}

/** Levels of a sampler and the model time of each level (plus the sigma → time map for churn). */
interface Route {
  readonly levels: S.NoiseLevels;
  readonly times: readonly number[];
  readonly timeOf: (sigma: number) => number;
}

interface PlanOptions {
  readonly steps: number;
  readonly spacing: (typeof SPACINGS)[number];
  readonly sigmas: (typeof SIGMAS)[number];
  readonly final: (typeof FINALS)[number];
  readonly rho: number;
  readonly offset: number;
}

/** N VE sigmas from sMax down (k-diffusion's tables), ending at 0 ('clean') or at sMin ('first'). */
function sigmaRoute(o: PlanOptions, sMin: number, sMax: number, timeOf: (s: number) => number): Route {
  if (!Number.isFinite(sMax)) {
    fail(
      SAMPLER_CODES.unsupported,
      `sigmas: "${o.sigmas}" needs a finite largest sigma, but a zero-terminal-SNR schedule starts at infinite sigma`,
      undefined,
      'use sigmas: "timesteps" with a zero-SNR schedule',
    );
  }
  if (o.spacing !== 'auto') fail(SAMPLER_CODES.unsupported, `spacing: "${o.spacing}" applies to sigmas: "timesteps" only`);
  const n = o.final === 'first' ? o.steps + 1 : o.steps;
  const table =
    o.sigmas === 'karras'
      ? S.karrasSigmas(n, sMin, sMax, o.rho)
      : o.sigmas === 'exponential'
        ? S.exponentialSigmas(n, sMin, sMax)
        : S.logSnrUniformSigmas(n, -Math.log(sMax), -Math.log(sMin));
  const sig = o.final === 'first' ? table.slice(0, -1) : table;
  return { levels: S.levelsFromSigmas(sig), times: sig.map(timeOf), timeOf };
}

function discreteRoute(sched: S.VpSchedule, o: PlanOptions): Route {
  const T = sched.T;
  const timeOf = (s: number): number => S.sigmaToT(sched, s);
  if (o.sigmas !== 'timesteps') return sigmaRoute(o, sched.veSigma[0], sched.veSigma[T - 1], timeOf);
  if (o.spacing === 'uniform') fail(SAMPLER_CODES.unsupported, 'spacing: "uniform" is for continuous-time schedules (schedule: "cosine_continuous")');
  const ts =
    o.spacing === 'linspace'
      ? S.spacingLinspace(T, o.steps)
      : o.spacing === 'leading'
        ? S.spacingLeading(T, o.steps, o.offset)
        : S.spacingTrailing(T, o.steps);
  // The final level's time is never evaluated ('clean') or is the first timestep ('first'): 0 either way.
  return { levels: S.levelsFromTimesteps(sched, ts, o.final), times: [...ts, 0], timeOf };
}

/**
 * Continuous cosine log-SNR (model time t in [0, 1]), from t = 0.9946 (DPM-Solver's end time for the
 * cosine schedule, Lu et al. 2022: t = 1 itself is SNR 0), or from t = 1 with zero SNR, down to
 * t = 1e-3, uniformly in t (DPM-Solver's 'time_uniform') or by a sigma table.
 */
function continuousRoute(o: PlanOptions, zeroSnr: boolean): Route {
  const start = zeroSnr ? 1 : COSINE_START;
  const timeOf = (s: number): number => (s === 0 ? 0 : S.cosineTimeFromLogSnr(-Math.log(s)));
  if (o.sigmas !== 'timesteps') return sigmaRoute(o, Math.exp(-S.cosineLogSnr(CONTINUOUS_END)), Math.exp(-S.cosineLogSnr(start)), timeOf);
  if (o.spacing !== 'auto' && o.spacing !== 'uniform') {
    fail(SAMPLER_CODES.unsupported, `spacing: "${o.spacing}" needs a discrete schedule; continuous time uses spacing: "uniform"`);
  }
  requireInt('steps', o.steps, 1);
  // 'clean' spends the last step on the jump from t = 1e-3 to the data.
  const points =
    o.final === 'first'
      ? S.spacingUniformTime(o.steps, start, CONTINUOUS_END)
      : o.steps > 1
        ? S.spacingUniformTime(o.steps - 1, start, CONTINUOUS_END)
        : [start];
  const lambdas = points.map((t) => S.cosineLogSnr(t));
  if (o.final === 'clean') lambdas.push(Infinity);
  return { levels: S.levelsFromLogSnr(lambdas), times: o.final === 'clean' ? [...points, 0] : points, timeOf };
}

function discreteSchedule(name: string, T: number, zeroSnr: boolean): S.VpSchedule {
  const sched = name === 'scaled_linear' ? S.scaledLinear(0.00085, 0.012, T) : name === 'cosine' ? S.cosine(T) : S.linear(1e-4, 0.02, T);
  return zeroSnr ? S.rescaleZeroTerminalSnr(sched) : sched;
}

const numbers = (xs: readonly number[]): Value => list(xs.map((x) => num(x, false)));

function samplingPlan(a: Args, ctx: BuiltinContext): Value {
  const model = modelOf(a);
  const inst = model.inst;
  const steps = a.int('steps');
  requireInt('steps', steps, 1);
  const schedule = agreed(inst, 'schedule', a.str('schedule', 'model'), SCHEDULES, 'linear');
  const zeroSnr = a.bool('zero_snr', false) || attr(inst, 'zero_snr', 'bool') === true;
  const T = (attr(inst, 'T', 'num') as number | undefined) ?? 1000;
  const o: PlanOptions = {
    steps,
    spacing: choose('spacing', a.str('spacing', 'auto'), SPACINGS),
    sigmas: choose('sigmas', a.str('sigmas', 'timesteps'), SIGMAS),
    final: choose('final level', a.str('final', 'clean'), FINALS),
    rho: a.num('rho', 7),
    offset: a.int('offset', 0),
  };
  const route = schedule === 'cosine_continuous' ? continuousRoute(o, zeroSnr) : discreteRoute(discreteSchedule(schedule, T, zeroSnr), o);
  const { alpha, sigma, lambda } = route.levels;
  const prediction = configOf(model).prediction;
  if (ctx.sampler) ctx.sampler.training = { prediction, schedule, T, zeroSnr, nullClass: nullClassOf(model) };
  if (alpha[0] === 0 && prediction === 'eps') {
    fail(
      SAMPLER_CODES.contradicts,
      'sampling starts at zero SNR (alpha = 0), where an eps-prediction model cannot recover x0; ' + `model ${inst.name} predicts eps`,
      undefined,
      'zero terminal SNR needs a v- or x0-prediction model (declare prediction = "v")',
    );
  }
  const ve = numbers(alpha.map((x, i) => (x === 0 ? Infinity : sigma[i] / x)));
  // The same levels as a record the solver-table builtins (dpm_solver_pp, ddim_coefficients) take.
  const levels = COMPTIME_BUILTINS.levels_from_sigmas(ctx, [{ value: ve, span: a.span }], a.span);
  const plan: Value = {
    kind: 'record',
    name: 'plan',
    host: { kind: 'plan', timeOf: route.timeOf },
    fields: new Map<string, Value>([
      ['steps', int(steps)],
      ['T', int(T)],
      ['schedule', { kind: 'str', value: schedule }],
      ['t', numbers(route.times)],
      ['alpha', numbers(alpha)],
      ['sigma', numbers(sigma)],
      ['lambda', numbers(lambda)],
      ['ve', ve],
      ['levels', levels],
    ]),
  };
  return plan;
}

function numberList(a: Args, name: string): number[] {
  const v = a.value(name);
  if (v.kind !== 'list') raise(DSL.ArgType, `${a.what} argument '${name}' must be a list of numbers, got ${describe(v)}`, a.spanOf(name));
  return v.items.map((x) =>
    x.kind === 'num' ? x.value : raise(DSL.ArgType, `${a.what} argument '${name}' must hold numbers, got ${describe(x)}`, a.spanOf(name)),
  );
}

function sigmaTime(a: Args): Value {
  const plan = a.value('plan');
  const host = plan.kind === 'record' ? plan.host : undefined;
  if (host?.kind !== 'plan')
    raise(DSL.ArgType, `sigma_time argument 'plan' must be a plan from sampling_plan, got ${describe(plan)}`, a.spanOf('plan'));
  return numbers(numberList(a, 'sigmas').map(host.timeOf));
}

/** A discrete schedule record by name, built by the schedule builtins of schedules.ts. */
function vpSchedule(a: Args, ctx: BuiltinContext): Value {
  const name = choose('schedule', a.str('name', 'linear'), SCHEDULES);
  if (name === 'cosine_continuous')
    fail(SAMPLER_CODES.unsupported, 'vp_schedule builds discrete tables; "cosine_continuous" has none (use cosine_log_snr)');
  const T = a.int('T', 1000);
  const fn = name === 'linear' ? 'vp_linear' : name === 'cosine' ? 'cosine_schedule' : 'scaled_linear';
  const sched = COMPTIME_BUILTINS[fn](ctx, [{ name: 'T', value: int(T), span: a.span }], a.span);
  return a.bool('zero_snr', false) ? COMPTIME_BUILTINS.zero_terminal_snr(ctx, [{ value: sched, span: a.span }], a.span) : sched;
}

/** `ok = check(eta <= 1, "message")`: stops compilation with SMP0001 when a sampler option is out of range. */
function check(a: Args): Value {
  if (!a.bool('condition', true)) fail(SAMPLER_CODES.badOption, a.str('message', 'a sampler option is out of range'));
  return bool(true);
}

export const SAMPLER_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  check: samplerBuiltin('check', ['condition', 'message'], 2, check),
  denoiser: samplerBuiltin('denoiser', ['model', 'prediction', 'guidance', 'guidance_rescale', 'null_class'], 1, makeDenoiser),
  denoise: samplerBuiltin('denoise', ['model', 'x', 't', 'alpha', 'sigma'], 5, denoise),
  sampling_plan: samplerBuiltin(
    'sampling_plan',
    ['model', 'steps', 'schedule', 'spacing', 'sigmas', 'rho', 'final', 'zero_snr', 'offset'],
    2,
    samplingPlan,
  ),
  sigma_time: samplerBuiltin('sigma_time', ['plan', 'sigmas'], 2, sigmaTime),
  vp_schedule: samplerBuiltin('vp_schedule', ['name', 'T', 'zero_snr'], 1, vpSchedule),
  cosine_log_snr: samplerBuiltin('cosine_log_snr', ['t', 's'], 1, (a) => num(S.cosineLogSnr(a.num('t'), a.num('s', 0.008)), false)),
  cosine_time: samplerBuiltin('cosine_time', ['lambda', 's'], 1, (a) => num(S.cosineTimeFromLogSnr(a.num('lambda'), a.num('s', 0.008)), false)),
  spacing_uniform_time: samplerBuiltin('spacing_uniform_time', ['steps', 't_start', 't_end'], 1, (a) =>
    numbers(S.spacingUniformTime(a.int('steps'), a.num('t_start', 1), a.num('t_end', CONTINUOUS_END))),
  ),
  logsnr_sigmas: samplerBuiltin('logsnr_sigmas', ['n', 'lambda_min', 'lambda_max'], 3, (a) =>
    numbers(S.logSnrUniformSigmas(a.int('n'), a.num('lambda_min'), a.num('lambda_max'))),
  ),
};
