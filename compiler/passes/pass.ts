/**
 * Pass declarations. A pass is data (name, summary, options with defaults and help) plus a pure
 * `run(graph, options, ctx) -> {graph, changed, stats}`; `denoc passes`, `--pipeline` and `--stats`
 * are generated from these declarations.
 */
import type { Graph } from '../core/ir/node.ts';
import type { WeightSet } from '../core/tensor.ts';

export type OptionValue = number | string | boolean;

export interface PassOption {
  readonly default: OptionValue;
  readonly help: string;
}

export interface PassResult {
  readonly graph: Graph;
  readonly changed: boolean;
  /** Counters for `--stats` (nodes removed, kernels formed, FLOPs saved, ...). */
  readonly stats: Readonly<Record<string, number>>;
  /** Approximate passes describe the error they introduce, per layer and in total. */
  readonly report?: unknown;
  /**
   * Weight values this pass created or replaced (low-rank factors, pruned tensors, folded BN),
   * keyed by the `path` of the `weight` nodes in the new graph; merged into the context's weights.
   */
  readonly weights?: WeightSet;
}

/** What a pass may read besides the graph: bound weights (for weight-rewriting passes), dims. */
export interface PassContext {
  readonly weights?: WeightSet;
  readonly dims?: Readonly<Record<string, number>>;
}

export interface Pass<O extends Record<string, OptionValue> = Record<string, OptionValue>> {
  readonly name: string;
  readonly summary: string;
  readonly options: { readonly [K in keyof O]: PassOption };
  run(graph: Graph, options: O, ctx: PassContext): PassResult;
}

export function definePass<O extends Record<string, OptionValue>>(pass: Pass<O>): Pass<O> {
  return Object.freeze(pass);
}

/** Merges user options over declared defaults, rejecting unknown names. */
export function resolveOptions<O extends Record<string, OptionValue>>(pass: Pass<O>, given: Record<string, OptionValue> = {}): O {
  const out: Record<string, OptionValue> = {};
  for (const key of Object.keys(given)) {
    if (!(key in pass.options)) {
      throw new Error(`pass '${pass.name}' has no option '${key}' (options: ${Object.keys(pass.options).join(', ') || 'none'})`);
    }
  }
  for (const [key, opt] of Object.entries(pass.options) as [string, PassOption][]) {
    out[key] = key in given ? given[key] : opt.default;
  }
  return out as O;
}
