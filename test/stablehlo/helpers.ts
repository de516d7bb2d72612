// Shared helpers of the StableHLO tests: emit → parse → interpret a graph and compare it with the
// reference executor (runtime/reference), which runs the op registry's tfjs kernels.
import { expect } from 'vitest';
import { allNodesDeep, tensorOf, type Graph } from '../../compiler/core/ir/node.ts';
import { bindShape } from '../../compiler/core/ir/types.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { emitStableHLO, type EmitResult } from '../../targets/stablehlo/emit.ts';
import type { StableHLOOptions } from '../../targets/stablehlo/options.ts';
import { runEmitted } from '../../tools/stablehlo-interpreter/run.ts';
import { tensor, type WeightSet } from '../../compiler/core/tensor.ts';

export type Data = Float32Array | Int32Array;

/** Deterministic test data: standard normals from stream 77 of the shared generator. */
export function normals(n: number, seed = 1): Float32Array {
  return randn(seed, 77, 0, n);
}

export interface Comparison {
  readonly emitted: EmitResult;
  /** Per output: max |stablehlo − reference| and max |reference|. */
  readonly errors: readonly { maxErr: number; maxRef: number }[];
  readonly outputs: readonly Float32Array[];
  readonly reference: readonly Float32Array[];
}

type Inputs = Readonly<Record<string, Data>>;
type Weights = ReadonlyMap<string, Float32Array>;
interface ReferenceRun {
  inputs: Inputs;
  weights: Weights;
  dims: string;
  outputs: Promise<Float32Array[]>;
}

/** Reference outputs already computed: the executor is deterministic, so emitting one graph several ways
 * (f32, bf16, unrolled) on the same inputs needs one run of it. */
const referenceRuns = new WeakMap<Graph, ReferenceRun[]>();

/** The tests' weight data with the shapes the graph's weight nodes give them. */
function weightSet(graph: Graph, weights: Weights, dims: StableHLOOptions['dims']): WeightSet {
  const nodes = allNodesDeep(graph).filter((n) => n.op === 'weight' && weights.has(n.attrs.path as string));
  return new Map(
    nodes.map((n) => [n.attrs.path as string, tensor(bindShape(tensorOf(n).shape, dims ?? {}) as number[], weights.get(n.attrs.path as string)!)]),
  );
}

function referenceOutputs(graph: Graph, inputs: Inputs, weights: Weights, dims: StableHLOOptions['dims']): Promise<Float32Array[]> {
  const runs = referenceRuns.get(graph) ?? [];
  referenceRuns.set(graph, runs);
  const key = JSON.stringify(dims ?? {});
  const hit = runs.find((r) => r.inputs === inputs && r.weights === weights && r.dims === key);
  if (hit) return hit.outputs;
  const outputs = runGraph(graph, { inputs, weights: weightSet(graph, weights, dims), dims }).then((ts) =>
    ts.map((t) => {
      const d = Float32Array.from(t.dataSync() as ArrayLike<number>);
      t.dispose();
      return d;
    }),
  );
  runs.push({ inputs, weights, dims: key, outputs });
  return outputs;
}

export async function compareWithReference(
  graph: Graph,
  inputs: Inputs,
  weights: Weights = new Map(),
  opts: StableHLOOptions = {},
): Promise<Comparison> {
  const emitted = emitStableHLO(graph, opts);
  const got = runEmitted(emitted, inputs, weights);
  const reference = await referenceOutputs(graph, inputs, weights, opts.dims);
  const outputs = got.map((t) => Float32Array.from(t.data));
  const errors = reference.map((r, i) => {
    expect(outputs[i].length).toBe(r.length);
    let maxErr = 0,
      maxRef = 0;
    r.forEach((v, j) => {
      maxErr = Math.max(maxErr, Math.abs(v - outputs[i][j]));
      maxRef = Math.max(maxRef, Math.abs(v));
    });
    return { maxErr, maxRef };
  });
  return { emitted, errors, outputs, reference };
}

/** Asserts every output agrees within atol + rtol·max|ref|. */
export async function expectMatchesReference(
  graph: Graph,
  inputs: Readonly<Record<string, Data>>,
  weights: ReadonlyMap<string, Float32Array> = new Map(),
  opts: StableHLOOptions & { atol?: number; rtol?: number } = {},
): Promise<Comparison> {
  const { atol = 1e-5, rtol = 1e-5, ...emitOpts } = opts;
  const c = await compareWithReference(graph, inputs, weights, emitOpts);
  for (const e of c.errors) expect(e.maxErr).toBeLessThanOrEqual(atol + rtol * e.maxRef);
  return c;
}
