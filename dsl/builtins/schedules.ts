/**
 * Compile-time builtins of the sampler language over compiler/schedules: noise schedules, timestep
 * spacing, sigma tables, noise levels and solver coefficient tables. They return records of plain
 * number lists (`sched.alpha`, `c.xt`) that samplers index by the step; lowering turns what a
 * tensor needs into constant tables. A schedule or levels record carries its host object (the
 * value's `host`), so it can be passed back to these functions. Errors from the schedule math
 * (SCHxxxx) are reported at the call's span.
 */
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import * as S from '../../compiler/schedules/index.ts';
import { DSL } from '../diagnostic-codes.ts';
import type { BuiltinFn } from '../lower/context.ts';
import { describe, int, list, num, raise, type RecordHost, type Value } from '../semantics/values.ts';
import { builtin, type Args } from './define.ts';

type Table = readonly number[] | readonly (readonly number[])[];
const toList = (t: Table): Value => list(t.map((x) => (typeof x === 'number' ? num(x, false) : toList(x))));
const intList = (t: readonly number[]): Value => list(t.map((x) => int(x)));

function record(name: string, fields: Record<string, Value>, host?: RecordHost): Value {
  return { kind: 'record', name, fields: new Map(Object.entries(fields)), host };
}

function scheduleRecord(s: S.VpSchedule): Value {
  return record(
    'schedule',
    {
      T: int(s.T),
      betas: toList(s.betas),
      alpha_bar: toList(s.alphasCumprod),
      alpha: toList(s.alpha),
      sigma: toList(s.sigma),
      lambda: toList(s.lambda),
      ve_sigma: toList(s.veSigma),
    },
    { kind: 'schedule', schedule: s },
  );
}

function levelsRecord(l: S.NoiseLevels): Value {
  return record('levels', { alpha: toList(l.alpha), sigma: toList(l.sigma), lambda: toList(l.lambda) }, { kind: 'levels', levels: l });
}

/** The schedule math object behind a record argument that an earlier builtin call returned. */
function host<K extends 'schedule' | 'levels'>(a: Args, name: string, kind: K): Extract<RecordHost, { kind: K }> {
  const v = a.value(name);
  const h = v.kind === 'record' ? v.host : undefined;
  if (h?.kind !== kind) raise(DSL.ArgType, `${a.what} argument '${name}' must be a ${kind} record, got ${describe(v)}`, a.spanOf(name));
  return h as Extract<RecordHost, { kind: K }>;
}

function numbers(a: Args, name: string): number[] {
  const v = a.value(name);
  if (v.kind !== 'list') raise(DSL.ArgType, `${a.what} argument '${name}' must be a list of numbers, got ${describe(v)}`, a.spanOf(name));
  return v.items.map((x) =>
    x.kind === 'num' ? x.value : raise(DSL.ArgType, `${a.what} argument '${name}' must hold numbers, got ${describe(x)}`, a.spanOf(name)),
  );
}

/** Schedule math reports bad arguments without a span; attach the call's. */
function comptime(what: string, params: readonly string[], required: number, impl: (a: Args) => Value): BuiltinFn {
  return builtin(what, params, required, (a) => {
    try {
      return impl(a);
    } catch (e) {
      if (!(e instanceof DenocError)) throw e;
      throw new DenocError(e.diagnostics.map((d) => ({ ...d, span: d.span ?? (a.span as Span), message: `${what}: ${d.message}` })));
    }
  });
}

const stepTable = (t: S.StepTable): Value =>
  record('step table', { xt: toList(t.xt), data: toList(t.data), noise: toList(t.noise), order: intList(t.order) });

export const COMPTIME_BUILTINS: Readonly<Record<string, BuiltinFn>> = {
  vp_linear: comptime('vp_linear', ['beta0', 'beta1', 'T'], 0, (a) =>
    scheduleRecord(S.linear(a.num('beta0', 1e-4), a.num('beta1', 0.02), a.int('T', 1000))),
  ),
  scaled_linear: comptime('scaled_linear', ['beta0', 'beta1', 'T'], 0, (a) =>
    scheduleRecord(S.scaledLinear(a.num('beta0', 0.00085), a.num('beta1', 0.012), a.int('T', 1000))),
  ),
  cosine_schedule: comptime('cosine_schedule', ['T', 's', 'max_beta'], 0, (a) =>
    scheduleRecord(S.cosine(a.int('T', 1000), a.num('s', 0.008), a.num('max_beta', 0.999))),
  ),
  zero_terminal_snr: comptime('zero_terminal_snr', ['schedule'], 1, (a) =>
    scheduleRecord(S.rescaleZeroTerminalSnr(host(a, 'schedule', 'schedule').schedule)),
  ),
  spacing_linspace: comptime('spacing_linspace', ['T', 'steps'], 2, (a) => intList(S.spacingLinspace(a.int('T'), a.int('steps')))),
  spacing_leading: comptime('spacing_leading', ['T', 'steps', 'offset'], 2, (a) =>
    intList(S.spacingLeading(a.int('T'), a.int('steps'), a.int('offset', 0))),
  ),
  spacing_trailing: comptime('spacing_trailing', ['T', 'steps'], 2, (a) => intList(S.spacingTrailing(a.int('T'), a.int('steps')))),
  karras_sigmas: comptime('karras_sigmas', ['n', 'sigma_min', 'sigma_max', 'rho'], 3, (a) =>
    toList(S.karrasSigmas(a.int('n'), a.num('sigma_min'), a.num('sigma_max'), a.num('rho', 7))),
  ),
  exponential_sigmas: comptime('exponential_sigmas', ['n', 'sigma_min', 'sigma_max'], 3, (a) =>
    toList(S.exponentialSigmas(a.int('n'), a.num('sigma_min'), a.num('sigma_max'))),
  ),
  sigma_to_t: comptime('sigma_to_t', ['schedule', 'sigmas'], 2, (a) =>
    toList(S.sigmaToT(host(a, 'schedule', 'schedule').schedule, numbers(a, 'sigmas'))),
  ),
  levels_from_timesteps: comptime('levels_from_timesteps', ['schedule', 'ts', 'final'], 2, (a) =>
    levelsRecord(S.levelsFromTimesteps(host(a, 'schedule', 'schedule').schedule, numbers(a, 'ts'), a.str('final', 'clean') as S.FinalLevel)),
  ),
  levels_from_sigmas: comptime('levels_from_sigmas', ['sigmas'], 1, (a) => levelsRecord(S.levelsFromSigmas(numbers(a, 'sigmas')))),
  ddim_coefficients: comptime('ddim_coefficients', ['levels', 'eta'], 1, (a) =>
    stepTable(S.ddimCoefficients(host(a, 'levels', 'levels').levels, a.num('eta', 0))),
  ),
  dpm_solver_pp: comptime('dpm_solver_pp', ['levels', 'order', 'lower_order_final'], 1, (a) =>
    stepTable(S.dpmSolverPlusPlus(host(a, 'levels', 'levels').levels, a.int('order', 2), a.bool('lower_order_final', true))),
  ),
  sde_dpm_solver_pp: comptime('sde_dpm_solver_pp', ['levels', 'order', 'lower_order_final'], 1, (a) =>
    stepTable(S.sdeDpmSolverPlusPlus(host(a, 'levels', 'levels').levels, a.int('order', 2), a.bool('lower_order_final', true))),
  ),
  euler_coefficients: comptime('euler_coefficients', ['sigmas', 'eta'], 1, (a) => {
    const t = S.eulerCoefficients(numbers(a, 'sigmas'), a.num('eta', 0));
    return record('euler table', { sigma: toList(t.sigma), dt: toList(t.dt), noise: toList(t.noise) });
  }),
  heun_coefficients: comptime('heun_coefficients', ['sigmas'], 1, (a) => {
    const t = S.heunCoefficients(numbers(a, 'sigmas'));
    return record('heun table', { sigma: toList(t.sigma), sigma_next: toList(t.sigmaNext), dt: toList(t.dt), correct: toList(t.correct) });
  }),
  lms_coefficients: comptime('lms_coefficients', ['sigmas', 'order'], 1, (a) => {
    const t = S.lmsCoefficients(numbers(a, 'sigmas'), a.int('order', 4));
    return record('lms table', { sigma: toList(t.sigma), coeffs: toList(t.coeffs), order: intList(t.order) });
  }),
  reversed: builtin('reversed', ['xs'], 1, (a) => {
    const v = a.value('xs');
    if (v.kind !== 'list') raise(DSL.ArgType, `reversed needs a list, got ${describe(v)}`, a.spanOf('xs'));
    return list([...v.items].reverse());
  }),
};
