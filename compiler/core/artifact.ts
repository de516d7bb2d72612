/**
 * What the front end hands to everything after it: a model's graph with its parameter list, and a
 * sampler's graph with the parameters it reads and the training meaning its schedule gives the model.
 * Targets, runtimes and the driver read these; none of them re-reads DSL source.
 */
import type { Graph } from './ir/node.ts';
import type { Span } from './ir/span.ts';
import type { TensorType } from './ir/types.ts';

/** uniform: U(-scale, scale); normal: N(0, scale²); scale defaults to 1. */
export interface InitSpec {
  readonly kind: 'zeros' | 'ones' | 'uniform' | 'normal';
  readonly scale?: number;
}

export interface ParameterSpec {
  readonly path: string;
  readonly type: TensorType;
  readonly init: InitSpec;
  /** Where the DSL declared it, so weight errors can point at the declaration. */
  readonly span?: Span;
}

export type Prediction = 'eps' | 'x0' | 'v';
export type TrainingSchedule = 'linear' | 'scaled_linear' | 'cosine' | 'cosine_continuous';

/**
 * What a model must learn so that a sampler is right: the prediction type, the noise schedule the
 * sampler inverts (and so the model's time input), and the label meaning "no class" when the sampler
 * guides. The DSL resolves it while lowering (a sampler's options over the model's declarations);
 * training and distillation read it here instead of re-reading the source.
 */
export interface TrainingMeaning {
  readonly prediction: Prediction;
  readonly schedule: TrainingSchedule;
  /** Discrete timesteps (unused by cosine_continuous). */
  readonly T: number;
  readonly zeroSnr: boolean;
  readonly nullClass?: number;
}

export interface ModelArtifact {
  readonly name: string;
  readonly graph: Graph;
  readonly parameters: readonly ParameterSpec[];
  /**
   * What the model declares about its training (`prediction = "v"`, ...), defaults filled in; absent
   * when the declarations are invalid (its samplers report why).
   */
  readonly training?: TrainingMeaning;
  readonly span: Span;
}

export interface SamplerArtifact {
  readonly name: string;
  readonly modelName: string;
  readonly graph: Graph;
  readonly steps: number;
  /** The parameters its graph reads (the model's), with shapes and init specs, in declaration order. */
  readonly parameters: readonly ParameterSpec[];
  /** The training its schedule and denoiser assume of the model. */
  readonly training: TrainingMeaning;
  readonly span: Span;
}
