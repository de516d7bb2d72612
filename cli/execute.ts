/**
 * Runs a compiled sampler graph on the chosen target, feeding the seed and the conditioning inputs
 * the CLI knows how to make (class labels), with a progress bar over the sampling steps.
 */
import type { Graph } from '../compiler/core/ir/node.ts';
import { tensorOf } from '../compiler/core/ir/node.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { tensor, type Tensor, type WeightSet } from '../compiler/core/tensor.ts';
import { runSampler, type RunTarget } from '../api/run.ts';
import type { ReferenceBackend } from '../compiler/semantics/backend.ts';
import { ProgressBar } from './progress.ts';
import { parseClassList } from './options.ts';

export interface ExecuteOptions {
  readonly target: string;
  readonly backend: string;
  readonly batch: number;
  readonly seed: number;
  readonly weights: WeightSet;
  readonly classes?: string;
  readonly progress: boolean;
  readonly steps: number;
}

/** Builds every graph input: `seed` and class labels; anything else cannot come from the CLI. */
export function samplerInputs(graph: Graph, batch: number, seed: number, classes?: string): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  let takesClasses = false;
  for (const p of graph.params) {
    const name = p.attrs.name as string;
    const type = tensorOf(p);
    if (name === 'seed') inputs.seed = tensor([], Int32Array.of(seed));
    else if (type.dtype === 'i32' && type.shape.length === 1) {
      inputs[name] = tensor([batch], parseClassList(classes, batch));
      takesClasses = true;
    } else fail('CLI0030', `sampler input '${name}: ${type.dtype}[${type.shape.join(',')}]' cannot be provided from the command line`);
  }
  // labels the sampler would ignore mean the user expects conditioning that does not happen
  if (classes !== undefined && !takesClasses) fail('CLI0022', '--classes given, but this sampler takes no class labels (its model is unconditional)');
  return inputs;
}

export async function executeSampler(graph: Graph, opts: ExecuteOptions): Promise<Float32Array> {
  const inputs = samplerInputs(graph, opts.batch, opts.seed, opts.classes);
  const bar = new ProgressBar({ total: opts.steps, label: 'steps', enabled: opts.progress });
  try {
    return await runSampler(graph, {
      target: opts.target as RunTarget,
      backend: opts.backend as ReferenceBackend,
      inputs,
      weights: opts.weights,
      dims: { B: opts.batch },
      onStep: (i: number) => bar.update(i + 1),
    });
  } finally {
    bar.done();
  }
}
