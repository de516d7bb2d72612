// The ONNX target and runtime on hand-built graphs: unrolled loops (carried values, per-step
// coefficient tables, loop-invariant body nodes lowered once), exact Philox noise inside and outside
// loops against compiler/core/numeric/rng.ts, weights as graph inputs or as initializers, inlined
// fused kernels, the artifact files, and the errors for unbound dims, missing inputs and weights.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import { allNodesDeep } from '../../compiler/core/ir/node.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { tensor } from '../../compiler/core/tensor.ts';
import { runOnOnnx } from '../../runtime/onnx/session.ts';
import { compileForOnnx, writeOnnxArtifacts } from '../../targets/onnx/compile.ts';
import { fuseGraph, DEFAULT_FUSE_OPTIONS } from '../../targets/webgpu/passes/fuse.ts';
import { expectClose, reference } from '../webgpu/compare.ts';

async function errorCode(p: Promise<unknown> | (() => unknown)): Promise<string | undefined> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof DenocError ? e.diagnostics[0].code : `not a DenocError: ${String(e)}`;
  }
  return undefined;
}

/** c ← c·table[i] + sin(c)·w for i < count: a table and a weight read by every step. */
function recurrenceGraph(count: number) {
  const b = new GraphBuilder('recurrence');
  const x = b.param('x', t('f32', ['B', 3]));
  const [y] = b.loop(count, [x], [], (bb, { iter, carried }) => {
    const coef = bb.op('gather', [
      bb.constant(
        Float32Array.from({ length: count }, (_, i) => 1 - i / 10),
        [count],
      ),
      iter,
    ]);
    const w = bb.op('exp', [bb.weight('w', t('f32', [3]))]);
    return [bb.op('add', [bb.op('mul', [carried[0], coef]), bb.op('mul', [bb.op('sin', [carried[0]]), w])])];
  });
  return b.finish([y]);
}

const x = Float32Array.of(0.5, -1, 2, 0.1, 0.2, 0.3);
const weights = new Map([['w', tensor([3], Float32Array.of(0.1, -0.2, 0.3))]]);

describe('ONNX target and runtime', () => {
  it('unrolls a loop like the reference executor, with the loop-invariant body node lowered once', async () => {
    const graph = recurrenceGraph(6);
    const [expected] = await reference(graph, { x: { data: x, shape: [2, 3] } }, weights, { B: 2 });
    const artifact = compileForOnnx(graph, { dims: { B: 2 } });
    expect(artifact.weights.map((w) => w.name)).toEqual(['w']);
    const [actual] = await runOnOnnx(artifact, { inputs: { x }, weights });
    expectClose(actual, expected, { rtol: 1e-6, atol: 1e-6 }, 'recurrence');
    const session = await ort.InferenceSession.create(artifact.model);
    expect(session.inputNames).toEqual(['x', 'w']);
    await session.release();
    const once = compileForOnnx(recurrenceGraph(1), { dims: { B: 2 } }).nodeCount;
    const sixTimes = artifact.nodeCount;
    expect(sixTimes - once, 'exp(w) is not repeated per step').toBe(5 * 5);
  });

  it('embeds weights as initializers when given them', async () => {
    const graph = recurrenceGraph(3);
    const artifact = compileForOnnx(graph, { dims: { B: 2 }, weights });
    expect(artifact.weights).toEqual([]);
    const [expected] = await reference(graph, { x: { data: x, shape: [2, 3] } }, weights, { B: 2 });
    expectClose((await runOnOnnx(artifact, { inputs: { x } }))[0], expected, { rtol: 1e-6, atol: 1e-6 }, 'embedded');
  });

  it('draws the same noise as compiler/core/numeric/rng.ts, inside and outside loops, for any seed', async () => {
    const b = new GraphBuilder('noise');
    const seed = b.param('seed', t('i32', []));
    const z0 = b.op('randn', [seed], { shape: [2, 51], stream: 3 });
    const [acc] = b.loop(3, [z0], [seed], (bb, { iter, carried, captures }) => [
      bb.op('add', [carried[0], bb.op('randn', [captures[0], iter], { shape: [2, 51], stream: 0xfffffff0 })]),
    ]);
    const artifact = compileForOnnx(b.finish([z0, acc]));
    for (const s of [0, 987654, -7, 2147483647]) {
      const [first, sum] = await runOnOnnx(artifact, { inputs: { seed: Int32Array.of(s) } });
      const want0 = randn(s, 3, 0, 102);
      const wantSum = Float32Array.from(want0);
      for (let i = 0; i < 3; i++)
        randn(s, 0xfffffff0, i, 102).forEach((v, k) => {
          wantSum[k] = Math.fround(wantSum[k] + v);
        });
      expectClose(first, want0, { rtol: 1e-5, atol: 1e-6 }, `initial noise, seed ${s}`);
      expectClose(sum, wantSum, { rtol: 1e-5, atol: 1e-5 }, `noise added per step, seed ${s}`);
    }
  });

  it('inlines fused kernels', async () => {
    const b = new GraphBuilder('fused');
    const v = b.param('x', t('f32', [2, 3]));
    const g = b.finish([b.op('silu', [b.op('add', [b.op('mul', [v, b.scalar(2)]), b.scalar(1)])])]);
    const fused = fuseGraph(g, DEFAULT_FUSE_OPTIONS).graph;
    expect(allNodesDeep(fused).some((n) => n.op === 'kernel')).toBe(true);
    const [expected] = await reference(g, { x: { data: x, shape: [2, 3] } });
    expectClose((await runOnOnnx(compileForOnnx(fused), { inputs: { x } }))[0], expected, {}, 'fused');
  });

  it('writes model.onnx with its weights and a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-onnx-'));
    const written = writeOnnxArtifacts(recurrenceGraph(2), weights, dir, { dims: { B: 2 } });
    expect(written).toEqual([join(dir, 'model.onnx'), join(dir, 'manifest.json')]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.inputs).toEqual([{ name: 'x', dtype: 'f32', shape: [2, 3] }]);
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    expect(session.inputNames).toEqual(['x']);
    await session.release();
  });

  it('reports unbound dims, unsupported dtypes, missing or mis-sized inputs and weights, with codes', async () => {
    const graph = recurrenceGraph(2);
    expect(await errorCode(() => compileForOnnx(graph))).toBe('ONNX0001');
    const b = new GraphBuilder('half');
    const h = b.param('h', t('f16', [2]));
    expect(await errorCode(() => compileForOnnx(b.finish([b.op('exp', [h])])))).toBe('ONNX0003');
    const artifact = compileForOnnx(graph, { dims: { B: 2 } });
    expect(await errorCode(runOnOnnx(artifact, { inputs: {}, weights }))).toBe('ONNX0202');
    expect(await errorCode(runOnOnnx(artifact, { inputs: { x: Float32Array.of(1) }, weights }))).toBe('ONNX0202');
    expect(await errorCode(runOnOnnx(artifact, { inputs: { x } }))).toBe('ONNX0201');
    expect(await errorCode(() => compileForOnnx(graph, { dims: { B: 2 }, weights: new Map([['w', tensor([2], new Float32Array(2))]]) }))).toBe(
      'ONNX0201',
    );
  });
});
