// The reference executor on the DSL example programs: every model runs a forward pass of the
// declared output type with finite values and no leaks; backends agree; the default pipeline keeps
// the mlp2d sampler's numerics.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tensorOf, type Graph } from '../../compiler/core/ir/node.ts';
import { bindShape } from '../../compiler/core/ir/types.ts';
import { runPipeline } from '../../compiler/passes/runner.ts';
import { resolvePipeline } from '../../compiler/pipelines.ts';
import { runGraph, type TensorSource } from '../../runtime/reference/executor.ts';
import { randomData } from '../passes/helpers.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';

async function load(file: string) {
  const { compileFile } = await import('../../dsl/index.ts');
  const { initWeights } = await import('../../runtime/weights/init.ts');
  const program = compileFile(path.resolve('examples', file));
  const weights: WeightSet = initWeights(
    program.models.flatMap((m) => m.parameters),
    0,
  );
  return { program, weights };
}

function randomInputs(graph: Graph, dims: Record<string, number>): Record<string, TensorSource> {
  return Object.fromEntries(
    graph.params.map((p) => {
      const name = p.attrs.name as string;
      return [name, name === 't' ? { data: [10, 500, 900].slice(0, dims.B), shape: [dims.B] } : randomData(tensorOf(p), dims, name, 1, 10)];
    }),
  );
}

async function outputs(graph: Graph, weights: WeightSet, dims: Record<string, number>, backend: 'cpu' | 'wasm' = 'cpu'): Promise<Float32Array[]> {
  const outs = await runGraph(graph, { inputs: randomInputs(graph, dims), weights, dims, backend });
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0) / scale;
}

describe('reference executor on the examples', () => {
  for (const file of ['mlp2d.dn', 'unet_small.dn', 'dit_tiny.dn']) {
    it(`runs every model of ${file} to its declared output type, leaking nothing`, async () => {
      const { program, weights } = await load(file);
      for (const model of program.models) {
        const dims = { B: 2 };
        const before = tf.memory().numTensors;
        const outs = await runGraph(model.graph, { inputs: randomInputs(model.graph, dims), weights, dims });
        outs.forEach((t, i) => {
          expect(t.shape).toEqual(bindShape(tensorOf(model.graph.outputs[i]).shape, dims));
          expect(Array.from(t.dataSync()).every(Number.isFinite)).toBe(true);
        });
        tf.dispose(outs);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  }

  it('agrees between cpu and wasm on the unet_small forward pass', async () => {
    const { program, weights } = await load('unet_small.dn');
    const graph = program.models[0].graph;
    const [cpu] = await outputs(graph, weights, { B: 1 }, 'cpu');
    const [wasm] = await outputs(graph, weights, { B: 1 }, 'wasm');
    expect(maxRelDiff(cpu, wasm)).toBeLessThan(1e-4);
  });

  it('keeps the mlp2d sampler numerics through the default pipeline', async () => {
    const { program, weights } = await load('mlp2d.dn');
    const sampler = program.samplers[0].graph;
    const optimized = runPipeline(sampler, resolvePipeline('default'), { verify: true }).graph;
    const [before] = await outputs(sampler, weights, { B: 4 });
    const [after] = await outputs(optimized, weights, { B: 4 });
    expect(Array.from(after)).toEqual(Array.from(before));
    expect(before.every(Number.isFinite)).toBe(true);
  });
});
