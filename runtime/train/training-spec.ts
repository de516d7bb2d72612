/**
 * What a model must learn so that its samplers are right, as training uses it: the artifacts'
 * training meaning (prediction, schedule, T, zero SNR, null class, resolved by the DSL while lowering)
 * turned into noise levels for a batch. Training uses exactly the schedule the samplers invert.
 *
 * Time inputs: discrete schedules feed the timestep index t ∈ {0, …, T−1} (α_t = √ᾱ_t of the table);
 * "cosine_continuous" feeds t ∈ [1e-3, 0.9946] (1 with zero SNR), the range its samplers visit.
 *
 *   TRN0402 the model's samplers disagree on schedule or prediction (pick one with --sampler)
 *   TRN0403 no sampler of that name uses the model
 *   TRN0404 the model's own training declarations are invalid
 */
import type { ModelArtifact, SamplerArtifact, TrainingMeaning, TrainingSchedule } from '../../compiler/core/artifact.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import * as S from '../../compiler/schedules/index.ts';

export type { Prediction } from '../../compiler/core/artifact.ts';

/** Continuous time's end points, as the samplers use them (dsl/builtins/samplers.ts, after Lu et al. 2022). */
const CONTINUOUS_END = 1e-3;
const COSINE_START = 0.9946;

/** Noise levels for a batch: the model's time input and x_t = α·x0 + σ·ε. */
export interface Levels {
  readonly t: Float32Array;
  readonly alpha: Float64Array;
  readonly sigma: Float64Array;
}

export interface TrainingSpec extends TrainingMeaning {
  readonly schedule: TrainingSchedule;
  /** Levels for uniforms u ∈ (0, 1): uniform over the timesteps, or over continuous time. */
  levels(u: ArrayLike<number>): Levels;
}

function discreteSchedule(name: TrainingSchedule, T: number, zeroSnr: boolean): S.VpSchedule {
  // the same tables dsl/builtins/schedules.ts builds for the samplers
  const sched = name === 'scaled_linear' ? S.scaledLinear(0.00085, 0.012, T) : name === 'cosine' ? S.cosine(T) : S.linear(1e-4, 0.02, T);
  return zeroSnr ? S.rescaleZeroTerminalSnr(sched) : sched;
}

/** The levels function of a training meaning. */
export function specOf(m: TrainingMeaning): TrainingSpec {
  if (m.schedule === 'cosine_continuous') {
    const start = m.zeroSnr ? 1 : COSINE_START;
    return { ...m, levels: (u) => continuousLevels(u, start) };
  }
  const table = discreteSchedule(m.schedule, m.T, m.zeroSnr);
  return { ...m, levels: (u) => discreteLevels(u, table) };
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

const key = (s: TrainingMeaning): string => `prediction ${s.prediction}, schedule ${s.schedule}${s.zeroSnr ? ' (zero SNR)' : ''}, T ${s.T}`;

/**
 * The spec of `model`: from the sampler named `samplerName`, or from every sampler of the model
 * (which must agree), or from the model's own declarations when no sampler uses it.
 */
export function trainingSpec(model: ModelArtifact, samplers: readonly SamplerArtifact[], samplerName?: string): TrainingSpec {
  const uses = samplers.filter((s) => s.modelName === model.name && (samplerName === undefined || s.name === samplerName));
  if (samplerName !== undefined && uses.length === 0) {
    fail('TRN0403', `no sampler named '${samplerName}' samples model ${model.name}`);
  }
  if (uses.length === 0) {
    return specOf(
      model.training ??
        fail(
          'TRN0404',
          `model ${model.name} declares training settings (prediction, schedule, T, zero_snr, null_class) that are not valid`,
          undefined,
          'run denoc check on a sampler of the model to see which',
        ),
    );
  }
  const differing = uses.find((s) => key(s.training) !== key(uses[0].training));
  if (differing) {
    fail(
      'TRN0402',
      `samplers of ${model.name} need different training: '${uses[0].name}' (${key(uses[0].training)}) and '${differing.name}' (${key(differing.training)})`,
      undefined,
      'choose the sampler to train for with --sampler',
    );
  }
  return specOf(uses[0].training);
}

export function describeSpec(spec: TrainingMeaning): string {
  return key(spec);
}
