// remat on the full unet_small training step: the same step (loss, updated weights, Adam moments) with
// remat=sqrt as without, run by onnxruntime (the reference executor takes minutes at this size), and the
// peak activation memory and extra FLOPs the analysis reports for none and sqrt; `denoc train --remat`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { denocInProcess } from '../helpers/cli.ts';
import { tensorOf, topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import { isFloat } from '../../compiler/core/ir/types.ts';
import { isCopy, trainingMemory } from '../../compiler/analysis/training-memory.ts';
import { planRemat } from '../../compiler/passes/remat.ts';
import { trainingStep } from '../../compiler/training/step.ts';
import { compileFile } from '../../dsl/index.ts';
import { compileForOnnx } from '../../targets/onnx/compile.ts';
import { runOnOnnx } from '../../runtime/onnx/session.ts';
import { randomData } from '../passes/helpers.ts';

const B = 2;
const step = trainingStep(compileFile('examples/unet_small.dn').models.at(-1)!.graph, { B }, { prediction: 'eps', lr: 1e-3 }).graph;

/** A first training step's inputs: random weights and batch, levels in (0, 1), zero moments, step 1. */
function stepInputs(graph: Graph): Record<string, Float32Array | Int32Array> {
  const inputs: Record<string, Float32Array | Int32Array> = {};
  for (const p of graph.params) {
    const name = p.attrs.name as string;
    const t = tensorOf(p);
    const { data } = randomData(t, {}, `in:${name}`, 1, 2);
    if (name.startsWith('m:') || name.startsWith('v:')) data.fill(0);
    if (name === 'alpha' || name === 'sigma') data.forEach((v, i) => (data[i] = 0.2 + 0.6 * Math.abs(v)));
    if (name === 'step') data.fill(1);
    if (name === 't' && isFloat(t.dtype)) data.forEach((v, i) => (data[i] = 500 * Math.abs(v)));
    inputs[name] = data;
  }
  return inputs;
}

describe('remat on unet_small', () => {
  const plan = planRemat(step, { kind: 'sqrt' });

  it('takes the same training step with remat=sqrt on onnxruntime (loss, weights, moments)', async () => {
    expect(topoOrder(plan.graph).filter(isCopy).length).toBeGreaterThan(10);
    const inputs = stepInputs(step);
    const before = await runOnOnnx(compileForOnnx(step, { dims: { B } }), { inputs });
    const after = await runOnOnnx(compileForOnnx(plan.graph, { dims: { B } }), { inputs });
    expect(after.length).toBe(before.length);
    expect(Number.isFinite(before.at(-1)![0])).toBe(true);
    let worst = 0;
    before.forEach((b, k) => {
      let scale = 0;
      let diff = 0;
      b.forEach((v, i) => {
        scale = Math.max(scale, Math.abs(v));
        diff = Math.max(diff, Math.abs(v - after[k][i]));
      });
      expect(diff, `output ${k}`).toBeLessThanOrEqual(1e-6 * scale);
      worst = Math.max(worst, diff / (scale || 1));
    });
    console.log(`remat=sqrt vs none on onnxruntime, unet_small B=${B}: largest difference ${worst.toExponential(2)} of an output's scale`);
  });

  it('cuts the peak activation memory 2.5x for about a fifth more FLOPs', () => {
    const none = trainingMemory(step);
    expect(plan.before).toEqual(none);
    expect(none.activationPeakBytes).toBeGreaterThanOrEqual(none.savedBytes);
    expect(plan.after.activationPeakBytes).toBeLessThan(none.activationPeakBytes / 2.5);
    expect(plan.after.recomputeFlops / none.flops).toBeGreaterThan(0.05);
    expect(plan.after.recomputeFlops / none.flops).toBeLessThan(0.25);
    expect(plan.after.flops - none.flops).toBe(plan.after.recomputeFlops);
  });

  it('denoc train --remat sqrt prints the peak activation memory and extra FLOPs after the engine line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'denoc-remat-'));
    const args = ['train', 'examples/mlp2d.dn', '--data', 'moons', '--steps', '2', '--batch', '64', '--eval', '0', '--no-progress'];
    const r = await denocInProcess(...args, '--remat', 'sqrt', '--out', path.join(dir, 'w.safetensors'));
    expect(r.code).toBe(0);
    const lines = r.err.split('\n');
    expect(lines[0]).toMatch(/^training MLP2D .* with engine graph\/onnx$/);
    expect(lines[1]).toMatch(
      /^remat sqrt: peak activation memory 0\.\d\d MiB -> 0\.\d\d MiB \(1\.\d\dx less\), \d+ checkpoints, extra FLOPs \d+\.\d% of /,
    );
    const tape = await denocInProcess(...args, '--remat', 'sqrt', '--engine', 'tape', '--out', path.join(dir, 't.safetensors'));
    expect([tape.code, tape.err]).toEqual([1, expect.stringMatching(/error TRN1003/)]);
  });
});
