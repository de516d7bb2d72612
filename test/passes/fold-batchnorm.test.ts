// fold-batchnorm: golden IR for the folded forms, graphs it must leave alone, and numerics on the
// reference executor; folded weights are checked against W·γ/√(var+ε) computed here by hand.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import type { Graph, Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { foldBatchnorm } from '../../compiler/passes/fold-batchnorm.ts';
import { isApproxReport } from '../../compiler/report/types.ts';
import { countOps, maxAbsDiff, merged, randomWeights, run, uniform } from '../linalg/fixtures.ts';

const bnLeaves = (b: GraphBuilder, name: string, c: number): Node[] =>
  ['mean', 'var', 'gamma', 'beta'].map((k) => b.weight(`${name}.${k}`, t('f32', [c])));

function convBn(opts: { bias?: boolean; extraUser?: boolean } = {}): Graph {
  const b = new GraphBuilder('net');
  const x = b.param('x', t('f32', ['B', 2, 4, 4]));
  const w = b.weight('conv.weight', t('f32', [3, 2, 3, 3]));
  const ins = opts.bias ? [x, w, b.weight('conv.bias', t('f32', [3]))] : [x, w];
  const c = b.op('conv2d', ins, { pad: [1, 1] });
  const y = b.op('silu', [b.op('batch_norm', [c, ...bnLeaves(b, 'bn', 3)])]);
  return b.finish(opts.extraUser ? [y, b.op('relu', [c])] : [y]);
}

const input = (shape: number[], seed = 3) => ({
  data: uniform(
    shape.reduce((p, d) => p * d, 1),
    seed,
  ),
  shape,
});

describe('fold-batchnorm', () => {
  it('folds batch_norm into the conv before it (golden)', () => {
    const r = foldBatchnorm.run(convBn(), {}, { weights: randomWeights(convBn()) });
    expect(printGraph(r.graph)).toBe(`graph @net(%x: f32[B,2,4,4]) {
  %0 = weight {path="conv.weight.folded"} : f32[3,2,3,3]
  %1 = weight {path="conv.weight.folded_bias"} : f32[3]
  %2 = conv2d(%x, %0, %1) {stride=[1, 1], pad=[1, 1], dilation=[1, 1], groups=1} : f32[B,3,4,4]
  %3 = silu(%2) : f32[B,3,4,4]
  return %3
}
`);
    expect(r.stats).toEqual({ layers: 1, foldedOps: 1 });
  });

  it('computes W·γ/√(var+ε) and (b − mean)·γ/√(var+ε) + β', () => {
    const g = convBn({ bias: true });
    const w = randomWeights(g);
    const r = foldBatchnorm.run(g, {}, { weights: w });
    const [mean, variance, gamma, beta, bias, weight] = ['bn.mean', 'bn.var', 'bn.gamma', 'bn.beta', 'conv.bias', 'conv.weight'].map(
      (p) => w.get(p)!.data,
    );
    const folded = r.weights!.get('conv.weight.folded')!.data,
      foldedBias = r.weights!.get('conv.weight.folded_bias')!.data;
    for (let o = 0; o < 3; o++) {
      const k = gamma[o] / Math.sqrt(variance[o] + 1e-5);
      expect(foldedBias[o]).toBeCloseTo((bias[o] - mean[o]) * k + beta[o], 6);
      for (let i = 0; i < 18; i++) expect(folded[o * 18 + i]).toBeCloseTo(weight[o * 18 + i] * k, 6);
    }
  });

  it('keeps the conv outputs within float rounding and drops the op count', async () => {
    const b = new GraphBuilder('net');
    const x = b.param('x', t('f32', ['B', 4, 6, 6]));
    const c = b.op('conv2d', [x, b.weight('c.weight', t('f32', [6, 2, 3, 3])), b.weight('c.bias', t('f32', [6]))], {
      stride: [2, 2],
      pad: [1, 1],
      groups: 2,
    });
    const scaled = b.op('mul', [c, b.weight('s', t('f32', [1, 6, 1, 1]))]);
    const bn = b.op('batch_norm', [scaled, ...bnLeaves(b, 'bn', 6)], { eps: 1e-3 });
    const shifted = b.op('sub', [b.constant(Float32Array.of(0.5), []), bn]);
    const g = b.finish([b.op('silu', [shifted])]);
    const weights = randomWeights(g);
    const r = foldBatchnorm.run(g, {}, { weights });
    expect(countOps(g)).toBe(5);
    expect(countOps(r.graph)).toBe(2);
    const inputs = { x: input([2, 4, 6, 6]) };
    const exact = await run(g, inputs, weights);
    const folded = await run(r.graph, inputs, merged(weights, r.weights));
    expect(maxAbsDiff(folded, exact)).toBeLessThan(1e-5);
  });

  it('folds a linear layer with its bias, a per-feature scale and shift', async () => {
    const b = new GraphBuilder('mlp');
    const x = b.param('x', t('f32', ['B', 3]));
    const mm = b.op('matmul', [x, b.weight('fc.weight', t('f32', [3, 4]))]);
    const biased = b.op('add', [mm, b.weight('fc.bias', t('f32', [4]))]);
    const scaled = b.op('mul', [biased, b.constant(Float32Array.of(1, 2, 3, 4), [1, 4])]);
    const shifted = b.op('add', [scaled, b.constant(Float32Array.of(1), [1])]);
    const g = b.finish([shifted]);
    const weights = randomWeights(g);
    const r = foldBatchnorm.run(g, {}, { weights });
    expect(printGraph(r.graph)).toBe(`graph @mlp(%x: f32[B,3]) {
  %0 = weight {path="fc.weight.folded"} : f32[3,4]
  %1 = matmul(%x, %0) {transposeA=false, transposeB=false} : f32[B,4]
  %2 = weight {path="fc.weight.folded_bias"} : f32[4]
  %3 = add(%1, %2) : f32[B,4]
  return %3
}
`);
    const bias = weights.get('fc.bias')!.data;
    expect([...r.weights!.get('fc.weight.folded_bias')!.data]).toEqual([0, 1, 2, 3].map((j) => Math.fround(bias[j] * (j + 1) + 1)));
    const inputs = { x: input([5, 3]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-5);
  });

  it('does not fold when the conv output has another user', () => {
    const g = convBn({ extraUser: true });
    const r = foldBatchnorm.run(g, {}, { weights: randomWeights(g) });
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
  });

  it('does not fold a scale that varies along the tokens of [B, L, D]', () => {
    const b = new GraphBuilder('tok');
    const x = b.param('x', t('f32', ['B', 5, 3]));
    const mm = b.op('matmul', [x, b.weight('fc.weight', t('f32', [3, 4]))]);
    const g = b.finish([b.op('mul', [mm, b.weight('per_token', t('f32', [5, 1]))])]);
    const r = foldBatchnorm.run(g, {}, { weights: randomWeights(g) });
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
  });

  it('does not fold a product with a computed (non-leaf) tensor or a division of a leaf by the layer', () => {
    const b = new GraphBuilder('dyn');
    const x = b.param('x', t('f32', ['B', 2, 4, 4]));
    const s = b.param('s', t('f32', [1, 3, 1, 1]));
    const c = b.op('conv2d', [x, b.weight('conv.weight', t('f32', [3, 2, 1, 1]))]);
    const c2 = b.op('conv2d', [x, b.weight('conv2.weight', t('f32', [3, 2, 1, 1]))]);
    const g = b.finish([b.op('mul', [c, s]), b.op('div', [b.constant(Float32Array.of(1), []), c2])]);
    const r = foldBatchnorm.run(g, {}, { weights: randomWeights(g) });
    expect(r.changed).toBe(false);
  });

  it('folds inside a sampling loop body and leaves the loop structure alone', async () => {
    const b = new GraphBuilder('sampler');
    const x0 = b.param('x', t('f32', [1, 2, 3, 3]));
    const [xn] = b.loop(3, [x0], [], (bb, { carried }) => {
      const c = bb.op('conv2d', [carried[0], bb.weight('conv.weight', t('f32', [2, 2, 1, 1]))]);
      const bn = bb.op('batch_norm', [c, ...bnLeaves(bb, 'bn', 2)]);
      return [bb.op('tanh', [bn])];
    });
    const g = b.finish([xn]);
    const weights = randomWeights(g);
    const r = foldBatchnorm.run(g, {}, { weights });
    expect(countOps(r.graph, 'batch_norm')).toBe(0);
    expect(countOps(r.graph, 'loop')).toBe(1);
    const inputs = { x: input([1, 2, 3, 3]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-5);
  });

  it('reports parameters and FLOPs before and after as an exact rewrite', () => {
    const r = foldBatchnorm.run(convBn(), {}, { weights: randomWeights(convBn()), dims: { B: 2 } });
    expect(isApproxReport(r.report)).toBe(true);
    if (!isApproxReport(r.report)) return;
    expect(r.report.exact).toBe(true);
    // Before: conv 54 weights + 4·3 BN values; after: 54 + 3 bias.
    expect(r.report.total.paramsBefore).toBe(66);
    expect(r.report.total.paramsAfter).toBe(57);
    // conv 2·(2·3·4·4)·(2·3·3) = 3456, BN 8 per element of 96; after: conv + bias add (96).
    expect(r.report.total.flopsBefore).toBe(3456 + 8 * 96);
    expect(r.report.total.flopsAfter).toBe(3456 + 96);
  });

  it('fails with a clear error when a weight value is missing', () => {
    expect(() => foldBatchnorm.run(convBn(), {}, { weights: new Map() })).toThrow(DenocError);
    expect(() => foldBatchnorm.run(convBn(), {}, {})).toThrow(
      /CPR0001: fold-batchnorm: no value for weight 'bn.mean: f32\[3\]' .*give them in the pass context/,
    );
  });
});
