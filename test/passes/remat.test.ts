// remat: which activations a small chain keeps and recomputes (golden) and what that saves, the modes and
// their errors, and the same mlp2d training step (loss, updated weights, Adam moments) with and without
// remat, run by the reference executor in the remat schedule. unet_small: test/training/remat-examples.test.ts.
import { describe, expect, it } from 'vitest';
import { tensorOf, topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import { isFloat } from '../../compiler/core/ir/types.ts';
import { grad } from '../../compiler/autodiff/grad.ts';
import { parseRematMode, planRemat, remat } from '../../compiler/passes/remat.ts';
import { trainingStep } from '../../compiler/training/step.ts';
import { compileFile } from '../../dsl/index.ts';
import type { TensorSource } from '../../runtime/reference/executor.ts';
import { expectGolden, expectUnchanged, parseIR, randomData, runPass } from './helpers.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import * as tf from '@tensorflow/tfjs-core';

const chain = (n: number): Graph =>
  grad(
    parseIR(`graph @chain(%x: f32[16]) {
${Array.from({ length: n }, (_, i) => `  %a${i + 1} = tanh(%${i ? `a${i}` : 'x'}) : f32[16]`).join('\n')}
  %loss = sum(%a${n}) {axes=[0]} : f32[]
  return %loss
}`),
    { wrt: ['x'] },
  ).graph;

const stepOf = (file: string, B: number): Graph => trainingStep(compileFile(file).models.at(-1)!.graph, { B }, { prediction: 'eps', lr: 1e-3 }).graph;

/** A first training step's inputs: random weights and batch, levels in (0, 1), zero moments, step 1. */
function stepInputs(graph: Graph): Record<string, TensorSource> {
  const inputs: Record<string, TensorSource> = {};
  for (const p of graph.params) {
    const name = p.attrs.name as string;
    const t = tensorOf(p);
    const r = randomData(t, {}, `in:${name}`, 1, 2);
    if (name.startsWith('m:') || name.startsWith('v:')) r.data.fill(0);
    if (name === 'alpha' || name === 'sigma') r.data.forEach((v, i) => (r.data[i] = 0.2 + 0.6 * Math.abs(v)));
    if (name === 'step') r.data.fill(1);
    if (name === 't' && isFloat(t.dtype)) r.data.forEach((v, i) => (r.data[i] = 500 * Math.abs(v)));
    inputs[name] = r;
  }
  return inputs;
}

async function outputs(graph: Graph, inputs: Record<string, TensorSource>): Promise<Float32Array[]> {
  const outs = await runGraph(graph, { inputs, backend: 'wasm' });
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

async function expectSameStep(file: string, B: number): Promise<void> {
  const graph = stepOf(file, B);
  const after = runPass(remat, graph, { options: { mode: 'sqrt' } }).graph;
  expect(topoOrder(after).filter((n) => n.attrs.remat !== undefined && (n.attrs.remat as number) >= 1).length).toBeGreaterThan(0);
  const inputs = stepInputs(graph);
  const [before, got] = [await outputs(graph, inputs), await outputs(after, inputs)];
  expect(got.length).toBe(before.length);
  // The copies compute the same ops on the same values: every output bit for bit.
  before.forEach((b, k) => expect(got[k], `output ${k}`).toEqual(b));
  expect(Number.isFinite(before.at(-1)![0])).toBe(true);
}

describe('remat', () => {
  it('keeps every third activation of a nine-layer chain and recomputes each segment before its backward', () => {
    const { graph } = expectGolden(remat, 'chain-sqrt', { options: { mode: 'sqrt', loss: 0 } });
    const copies = topoOrder(graph).filter((n) => (n.attrs.remat as number) >= 1);
    expect(copies.map((n) => n.attrs.remat)).toEqual([3, 3, 2, 2, 1, 1]);
  });

  it('halves the chain peak of activations for six extra tanh', () => {
    const p = planRemat(chain(9), { kind: 'sqrt' }, 0);
    expect(p.before.activationPeakBytes).toBe(9 * 64 + 4);
    expect(p.after.activationPeakBytes).toBe(4 * 64 + 4);
    expect(p.after.recomputeFlops).toBe(6 * 16);
    expect(p.checkpoints.size).toBe(3);
  });

  it('leaves the graph as it is with mode none', () => expectUnchanged(remat, chain(4), { options: { mode: 'none', loss: 0 } }));

  it('leaves a graph it already rematerialized as it is', () => {
    const once = runPass(remat, chain(9), { options: { mode: 'sqrt', loss: 0 } }).graph;
    expectUnchanged(remat, once, { options: { mode: 'sqrt', loss: 0 } });
  });

  it('reads none, sqrt and budget=<MiB>, and rejects anything else with TRN1001', () => {
    expect(parseRematMode('budget=1.5')).toEqual({ kind: 'budget', bytes: 1.5 * 2 ** 20 });
    expect(parseRematMode('sqrt')).toEqual({ kind: 'sqrt' });
    expect(() => parseRematMode('budget=lots')).toThrow(/TRN1001.*none \| sqrt \| budget=<MiB>/);
  });

  it('says which smallest peak a budget below every plan could have had (TRN1002)', () => {
    expect(() => planRemat(chain(9), { kind: 'budget', bytes: 100 }, 0)).toThrow(/TRN1002.*smallest peak activation memory is 0\.0 MiB/);
  });

  it('under a budget, keeps the plan with the fewest extra FLOPs that fits', () => {
    const budget = 6 * 64 + 4;
    const p = planRemat(chain(9), { kind: 'budget', bytes: budget }, 0);
    expect(p.after.activationPeakBytes).toBeLessThanOrEqual(budget);
    expect(p.after.recomputeFlops).toBeLessThan(planRemat(chain(9), { kind: 'sqrt' }, 0).after.recomputeFlops);
    expect(p.after.recomputeFlops).toBeGreaterThan(0);
  });

  it('takes the same training step on mlp2d (loss, weights, moments bit for bit)', () => expectSameStep('examples/mlp2d.dn', 64));

  it('refuses a loss output the graph does not have (TRN1004)', () => {
    expect(() => runPass(remat, chain(3), { options: { mode: 'sqrt', loss: 5 } })).toThrow(/TRN1004.*has 2/);
  });

  it('runs a rematerialized step in an order where inputs come first and each copy just before its first reader', () => {
    const graph = runPass(remat, stepOf('examples/mlp2d.dn', 16), { options: { mode: 'sqrt' } }).graph;
    const order = topoOrder(graph);
    const at = new Map(order.map((n, i) => [n, i]));
    expect(at.size).toBe(order.length);
    for (const n of order) for (const i of n.inputs) expect(at.get(i)!).toBeLessThan(at.get(n)!);
    const marked = (k: number): boolean => order[k].attrs.remat !== undefined || order[k].inputs.length === 0;
    let copies = 0;
    for (const [k, n] of order.entries()) {
      if (n.attrs.remat === undefined) continue;
      copies++;
      const first = Math.min(...order.filter((u) => u.inputs.includes(n)).map((u) => at.get(u)!));
      // Between a copy and its first reader only other on-demand nodes (marked, or leaves) run.
      for (let j = k + 1; j < first; j++) expect(marked(j), `${order[j].op} between ${n.op} and its reader`).toBe(true);
    }
    expect(copies).toBeGreaterThan(10);
  });
});
