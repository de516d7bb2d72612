// low-rank: golden IR, layers it must leave alone, exactness on weights of known rank, reported
// errors against errors measured here, the FLOP budget, and activation-aware whitening.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { resolveOptions } from '../../compiler/passes/pass.ts';
import { runPipeline } from '../../compiler/passes/runner.ts';
import { resolvePipeline } from '../../compiler/pipelines.ts';
import { compileSource } from '../../dsl/index.ts';
import { probeWebGPU, releaseSharedDevice } from '../../runtime/webgpu/device.ts';
import { deviceCapabilities, runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { requireGpuInCi } from '../webgpu/gpu.ts';
import { allocateRanks, lowRank, maxUsefulRank } from '../../compiler/passes/low-rank.ts';
import { collectCalibration } from '../../api/report/calibrate.ts';
import { isApproxReport, type CompressionContext } from '../../compiler/report/types.ts';
import { countOps, maxAbsDiff, merged, randomWeights, relL2, rng, run, uniform } from '../linalg/fixtures.ts';
import { tensor } from '../../compiler/core/tensor.ts';

const opts = (given: Record<string, number | string | boolean> = {}) => resolveOptions(lowRank, given);

/** An m×n matrix of exact rank r: Σ_k a_k b_kᵀ with seeded factors. */
function rankR(m: number, n: number, r: number, seed: number): Float32Array {
  const a = uniform(m * r, seed),
    b = uniform(r * n, seed + 1);
  return Float32Array.from({ length: m * n }, (_, idx) => {
    const i = Math.floor(idx / n),
      j = idx % n;
    let s = 0;
    for (let k = 0; k < r; k++) s += a[i * r + k] * b[k * n + j];
    return s;
  });
}

function linear(m: number, n: number, rows: (number | string)[] = ['B']): Graph {
  const b = new GraphBuilder('lin');
  const x = b.param('x', t('f32', [...rows, m]));
  return b.finish([b.op('matmul', [x, b.weight('fc.weight', t('f32', [m, n]))])]);
}

const input = (shape: number[], seed = 9) => ({
  data: uniform(
    shape.reduce((p, d) => p * d, 1),
    seed,
  ),
  shape,
});

describe('low-rank', () => {
  it('factorises a linear layer into two matmuls (golden)', () => {
    const w = new Map([['fc.weight', tensor([8, 6], rankR(8, 6, 2, 1))]]);
    const r = lowRank.run(linear(8, 6), opts({ energy: 0.999, minSize: 0 }), { weights: w });
    expect(printGraph(r.graph)).toBe(`graph @lin(%x: f32[B,8]) {
  %0 = weight {path="fc.weight.lowrank_u"} : f32[8,2]
  %1 = matmul(%x, %0) {transposeA=false, transposeB=false} : f32[B,2]
  %2 = weight {path="fc.weight.lowrank_v"} : f32[2,6]
  %3 = matmul(%1, %2) {transposeA=false, transposeB=false} : f32[B,6]
  return %3
}
`);
  });

  it('is exact (to float rounding) on a weight of exact rank', async () => {
    const g = linear(16, 12);
    const w = new Map([['fc.weight', tensor([16, 12], rankR(16, 12, 3, 5))]]);
    const r = lowRank.run(g, opts({ energy: 0.9999, minSize: 0 }), { weights: w });
    expect(r.stats.layers).toBe(1);
    const inputs = { x: input([4, 16]) };
    const exact = await run(g, inputs, w);
    expect(relL2(await run(r.graph, inputs, merged(w, r.weights)), exact)).toBeLessThan(1e-5);
  });

  it('factorises a transposed weight ([out, in] with transposeB) exactly at its rank', async () => {
    const b = new GraphBuilder('t');
    const x = b.param('x', t('f32', ['B', 12]));
    const g = b.finish([b.op('matmul', [x, b.weight('w', t('f32', [10, 12]))], { transposeB: true })]);
    const w = new Map([['w', tensor([10, 12], rankR(10, 12, 2, 8))]]);
    const r = lowRank.run(g, opts({ rank: 2, minSize: 0 }), { weights: w });
    expect(r.weights!.get('w.lowrank_u')!.data.length).toBe(12 * 2);
    const inputs = { x: input([3, 12]) };
    expect(relL2(await run(r.graph, inputs, merged(w, r.weights)), await run(g, inputs, w))).toBeLessThan(1e-5);
  });

  it('factorises a strided 1×1 conv with bias and keeps the bias on the second conv', async () => {
    const b = new GraphBuilder('conv');
    const x = b.param('x', t('f32', ['B', 12, 6, 6]));
    const g = b.finish([b.op('conv2d', [x, b.weight('c.weight', t('f32', [10, 12, 1, 1])), b.weight('c.bias', t('f32', [10]))], { stride: [2, 2] })]);
    const w = new Map([
      ['c.weight', tensor([10, 12, 1, 1], rankR(10, 12, 2, 3))],
      ['c.bias', tensor([10], uniform(10, 4))],
    ]);
    const r = lowRank.run(g, opts({ rank: 2, minSize: 0 }), { weights: w });
    expect(countOps(r.graph, 'conv2d')).toBe(2);
    expect(r.weights!.get('c.weight.lowrank_u')!.data.length).toBe(2 * 12);
    const inputs = { x: input([2, 12, 6, 6]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(w, r.weights)), await run(g, inputs, w))).toBeLessThan(1e-5);
  });

  it('reports the weight error it actually introduces', () => {
    const g = linear(20, 16);
    const w = randomWeights(g, 3);
    const r = lowRank.run(g, opts({ rank: 4, minSize: 0 }), { weights: w });
    const u = r.weights!.get('fc.weight.lowrank_u')!.data,
      v = r.weights!.get('fc.weight.lowrank_v')!.data;
    const orig = w.get('fc.weight')!.data;
    let num = 0,
      den = 0;
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 16; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += u[i * 4 + k] * v[k * 16 + j];
        num += (s - orig[i * 16 + j]) ** 2;
        den += orig[i * 16 + j] ** 2;
      }
    }
    expect(isApproxReport(r.report)).toBe(true);
    if (!isApproxReport(r.report)) return;
    expect(r.report.layers[0].weightError).toBeCloseTo(Math.sqrt(num / den), 5);
    expect(r.report.layers[0].paramsBefore).toBe(320);
    expect(r.report.layers[0].paramsAfter).toBe(4 * 36);
  });

  it('leaves 3×3 convs, small layers, excluded paths and layers with no useful rank alone', () => {
    const b = new GraphBuilder('mix');
    const x = b.param('x', t('f32', ['B', 4, 5, 5]));
    const c = b.op('conv2d', [x, b.weight('c3.weight', t('f32', [4, 4, 3, 3]))], { pad: [1, 1] });
    const v = b.param('v', t('f32', ['B', 64]));
    const small = b.op('matmul', [v, b.weight('small.weight', t('f32', [64, 1]))]);
    const big = b.op('matmul', [v, b.weight('head.weight', t('f32', [64, 64]))]);
    const g = b.finish([c, small, big]);
    const r = lowRank.run(g, opts({ exclude: '^head\\.' }), { weights: randomWeights(g) });
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
    const skipped = isApproxReport(r.report) ? r.report.skipped.map((s) => s.layer).sort() : [];
    expect(skipped).toEqual(['head.weight', 'small.weight']);
  });

  it('computes the largest useful rank as the largest r with r(m+n) < mn', () => {
    for (const [m, n] of [
      [8, 8],
      [64, 1],
      [10, 15],
      [3, 7],
    ]) {
      const r = maxUsefulRank(m, n);
      expect(r * (m + n)).toBeLessThan(m * n);
      expect((r + 1) * (m + n)).toBeGreaterThanOrEqual(m * n);
    }
  });

  it('allocates ranks greedily by energy per FLOP within the budget (hand case)', () => {
    // Layer A: energies 16, 9, 1 (cost 1 per rank); B: 16, 16, 16 (cost 2 per rank). Budget 6 of 12.
    const ranks = allocateRanks(
      [
        { s: Float64Array.of(4, 3, 1), perRank: 1, dense: 6, rMax: 3 },
        { s: Float64Array.of(4, 4, 4), perRank: 2, dense: 6, rMax: 3 },
      ],
      0.5,
    );
    // Start (1, 1) costs 3. Scores: A2 = (9/26)/1 = .35, B2 = B3 = (1/3)/2 = .17, A3 = (1/26)/1 = .04.
    // A2 → cost 4; B2 → cost 6; B3 would cost 8 > 6; A3 would cost 7 > 6.
    expect(ranks).toEqual([2, 2]);
  });

  it('stays within the FLOP budget on a model and reports before/after FLOPs', () => {
    const b = new GraphBuilder('mlp');
    const x = b.param('x', t('f32', ['B', 48]));
    const h = b.op('silu', [b.op('matmul', [x, b.weight('l1', t('f32', [48, 64]))])]);
    const g = b.finish([b.op('matmul', [h, b.weight('l2', t('f32', [64, 32]))])]);
    const r = lowRank.run(g, opts({ budget: 0.4 }), { weights: randomWeights(g), dims: { B: 8 } });
    if (!isApproxReport(r.report)) throw new Error('no report');
    const { flopsBefore, flopsAfter } = r.report.total;
    expect(flopsBefore).toBe(2 * 8 * (48 * 64 + 64 * 32));
    expect(flopsAfter).toBeLessThanOrEqual(0.4 * flopsBefore);
    expect(flopsAfter).toBeGreaterThan(0.3 * flopsBefore);
  });

  it('factorises attention projections inside a sampling loop body', async () => {
    const b = new GraphBuilder('s');
    const x = b.param('x', t('f32', [1, 6, 32]));
    const [out] = b.loop(2, [x], [], (bb, { carried: [h] }) => {
      const [q, k, v] = ['q', 'k', 'v'].map((n) => bb.op('matmul', [h, bb.weight(`attn.${n}.weight`, t('f32', [32, 32]))]));
      return [bb.op('add', [h, bb.op('attention', [q, k, v])])];
    });
    const g = b.finish([out]);
    const w = new Map(
      ['q', 'k', 'v'].map((n, i) => [
        `attn.${n}.weight`,
        tensor(
          [32, 32],
          rankR(32, 32, 3, 10 + i).map((z) => z * 0.1),
        ),
      ]),
    );
    const r = lowRank.run(g, opts({ energy: 0.99999 }), { weights: w });
    expect(r.stats.layers).toBe(3);
    expect(countOps(r.graph, 'matmul')).toBe(6);
    const inputs = { x: input([1, 6, 32]) };
    expect(relL2(await run(r.graph, inputs, merged(w, r.weights)), await run(g, inputs, w))).toBeLessThan(1e-4);
  });

  it('with calibration statistics, has lower error on the calibration inputs than plain SVD', async () => {
    const g = linear(12, 12, [64]);
    const w = randomWeights(g, 4);
    // Inputs with very unequal feature scales: the plain SVD ignores that, whitening does not.
    const r = rng(77);
    const data = Float32Array.from({ length: 64 * 12 }, (_, i) => r() * 2 ** (-(i % 12) / 2));
    const batch = { x: { data, shape: [64, 12] } };
    const calibration = await collectCalibration(g, w, [batch]);
    expect(calibration.inputGram.get('fc.weight')!.samples).toBe(64);
    const exact = await run(g, batch, w);
    const plain = lowRank.run(g, opts({ rank: 3, minSize: 0 }), { weights: w });
    const ctx: CompressionContext = { weights: w, calibration };
    const aware = lowRank.run(g, opts({ rank: 3, minSize: 0, activationAware: true }), ctx);
    const errPlain = relL2(await run(plain.graph, batch, merged(w, plain.weights)), exact);
    const errAware = relL2(await run(aware.graph, batch, merged(w, aware.weights)), exact);
    expect(errAware).toBeLessThan(errPlain * 0.8);
  });

  it('rejects bad options and activation-aware mode without calibration', () => {
    const g = linear(8, 8);
    const w = randomWeights(g);
    expect(() => lowRank.run(g, opts({ budget: 0 }), { weights: w })).toThrow(/CPR0101.*budget must be in \(0, 1\]/);
    expect(() => lowRank.run(g, opts({ energy: 1.5 }), { weights: w })).toThrow(/CPR0102/);
    expect(() => lowRank.run(g, opts({ activationAware: true }), { weights: w })).toThrow(DenocError);
    expect(() => lowRank.run(g, opts({ activationAware: true }), { weights: w })).toThrow(/CPR0103.*calibration/);
  });
});

describe('low-rank + prune on WebGPU', () => {
  afterAll(releaseSharedDevice);

  it('a pruned and factorised unet_small sampler runs on WebGPU like the reference on the same graph', async (t) => {
    const probe = await probeWebGPU();
    if (!probe.ok) {
      if (requireGpuInCi()) throw new Error(`CI=true but no WebGPU device: ${probe.reason}`);
      return t.skip();
    }
    const file = 'examples/unet_small.dn';
    const source = readFileSync(file, 'utf8')
      .replace('ch: int = 64, temb: int = 128', 'ch: int = 16, temb: int = 32')
      .replace('steps: 20)', 'steps: 2)');
    const program = compileSource(source, file);
    const sampler = program.samplers[0].graph;
    const weights = randomWeights(sampler, 6, 0.2);
    const dims = { B: 2 };
    const result = runPipeline(sampler, resolvePipeline('prune{ratio=0.25},low-rank{budget=0.5,minSize=256}'), {
      verify: true,
      ctx: { weights, dims },
    });
    expect(result.stats.map((s) => s.changed)).toEqual([true, true]);
    const compressed = result.graph,
      w = new Map(result.weights!);
    const inputs = { seed: Int32Array.of(42), y: Int32Array.of(3, 7) };
    const refInputs = { seed: { data: inputs.seed, shape: [] }, y: { data: inputs.y, shape: [2] } };
    const expected = await run(compressed, refInputs, w);
    const plan = compileForWebGPU(compressed, { dims, caps: await deviceCapabilities(probe.gpu) });
    const [actual] = await runOnWebGPU(plan, { inputs, weights: w, gpu: probe.gpu });
    const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4 * scale + 1e-4);
  });
});
