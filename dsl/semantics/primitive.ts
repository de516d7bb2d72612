/**
 * What a primitive module is: a std module's block written in TypeScript (std/nn's Conv2d, Linear,
 * ...; dsl/builtins/nn-primitives.ts). Name resolution exports them and lowering instantiates and
 * calls them through this interface.
 */
import type { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import type { InitSpec } from '../../compiler/core/artifact.ts';

export type PrimArgs = Readonly<Record<string, number | boolean>>;

export interface PrimParam {
  readonly name: string;
  readonly kind: 'int' | 'float' | 'bool';
  readonly default?: number | boolean;
}

export interface PrimWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: InitSpec;
}

/** What a primitive's forward gets: the builder, its args, its weights as nodes, the call span. */
export interface PrimCall {
  readonly b: GraphBuilder;
  readonly args: PrimArgs;
  readonly span: Span;
  /** The module's own name, for messages ("Conv2d conv1"). */
  readonly label: string;
  weight(name: string): Node;
}

export interface PrimitiveDef {
  readonly name: string;
  readonly summary: string;
  readonly params: readonly PrimParam[];
  /** Checks argument values (throws a DSL diagnostic) and lists the parameters to create. */
  weights(args: PrimArgs, span: Span): PrimWeight[];
  forward(call: PrimCall, x: Node): Node;
}

/** The primitives of each std module that has any, by module name. */
export type StdPrimitives = Readonly<Record<string, readonly PrimitiveDef[]>>;
