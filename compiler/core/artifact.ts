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

export interface ModelArtifact {
  readonly name: string;
  readonly graph: Graph;
  readonly parameters: readonly ParameterSpec[];
  readonly span: Span;
}

export interface SamplerArtifact {
  readonly name: string;
  readonly modelName: string;
  readonly graph: Graph;
  readonly steps: number;
  readonly span: Span;
}
