// Shared helpers of the StableHLO tests: emit → parse → interpret a graph and compare it with the
// reference executor (runtime/reference), which runs the op registry's tfjs kernels.
import { expect } from 'vitest';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { emitStableHLO, type EmitResult } from '../../targets/stablehlo/emit.ts';
import type { StableHLOOptions } from '../../targets/stablehlo/options.ts';
import { runEmitted } from '../../tools/stablehlo-interpreter/run.ts';

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

export async function compareWithReference(
  graph: Graph,
  inputs: Readonly<Record<string, Data>>,
  weights: ReadonlyMap<string, Float32Array> = new Map(),
  opts: StableHLOOptions = {},
): Promise<Comparison> {
  const emitted = emitStableHLO(graph, opts);
  const got = runEmitted(emitted, inputs, weights);
  const ref = await runGraph(graph, { inputs, weights, dims: opts.dims });
  const reference = ref.map((t) => { const d = Float32Array.from(t.dataSync() as ArrayLike<number>); t.dispose(); return d; });
  const outputs = got.map((t) => Float32Array.from(t.data));
  const errors = reference.map((r, i) => {
    expect(outputs[i].length).toBe(r.length);
    let maxErr = 0, maxRef = 0;
    r.forEach((v, j) => { maxErr = Math.max(maxErr, Math.abs(v - outputs[i][j])); maxRef = Math.max(maxRef, Math.abs(v)); });
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
