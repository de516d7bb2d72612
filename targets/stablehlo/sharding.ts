/**
 * Shardy annotations for data parallelism (options.dataParallel): a 1-D mesh `@mesh` with axis "data"
 * of D devices, the batch inputs of `@main` split along their first axis over it, every other argument
 * and every result replicated. XLA's SPMD partitioner then runs 1/D of the batch on each device and
 * inserts the collectives the graph needs (a sum over the batch becomes partial sums and an all-reduce),
 * which is how JAX itself writes `jax.jit(f, in_shardings=…)` (module attributes, `sdy.mesh`, and
 * `sdy.sharding` argument attributes).
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { DataParallel } from './options.ts';
import type { TType } from './types.ts';

export interface Sharding {
  /** `mhlo.num_partitions` of the module. */
  readonly partitions: number;
  /** Lines placed before the functions (the mesh). */
  readonly preamble: readonly string[];
  /** Attribute dictionary of each argument and result of @main; empty strings when not partitioned. */
  readonly argAttrs: readonly string[];
  readonly resultAttrs: readonly string[];
}

const sharding = (rank: number, splitFirst: boolean): string =>
  `{sdy.sharding = #sdy.sharding<@mesh, [${Array.from({ length: rank }, (_, i) => (i === 0 && splitFirst ? '{"data"}' : '{}')).join(', ')}]>}`;

/** The annotations of @main with parameters `names` (then weights) of types `args`, results `results`. */
export function shardingOf(dp: DataParallel | undefined, names: readonly string[], args: readonly TType[], results: readonly TType[]): Sharding {
  if (!dp) return { partitions: 1, preamble: [], argAttrs: args.map(() => ''), resultAttrs: results.map(() => '') };
  const batch = new Set(dp.batchInputs);
  for (const name of batch) {
    const i = names.indexOf(name);
    if (i < 0) fail('HLO0004', `data-parallel batch input '${name}' is not an input of the graph (inputs: ${names.join(', ')})`);
    const first = args[i].shape[0];
    if (first === undefined || first % dp.devices !== 0) {
      fail(
        'HLO0004',
        `data-parallel batch input '${name}' has shape [${args[i].shape.join(', ')}], whose first axis does not split over ${dp.devices} devices`,
        undefined,
        `use a batch that ${dp.devices} divides`,
      );
    }
  }
  return {
    partitions: dp.devices,
    preamble: [`  sdy.mesh @mesh = <["data"=${dp.devices}]>`],
    argAttrs: args.map((t, i) => sharding(t.shape.length, i < names.length && batch.has(names[i]))),
    resultAttrs: results.map((t) => sharding(t.shape.length, false)),
  };
}
