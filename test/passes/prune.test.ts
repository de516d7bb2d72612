// prune: golden IR, groups it must leave alone (with their reasons), refusals, and numerics. Pruning
// is approximate, so exactness is checked by planting all-zero channels / heads: L1 importance must
// find them and removing them must not change the outputs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import { tensorOf, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { resolveOptions } from '../../compiler/passes/pass.ts';
import { prune } from '../../compiler/passes/prune.ts';
import { channelGroups } from '../../compiler/linalg/channel-groups.ts';
import { isValueLeaf } from '../../compiler/linalg/leaves.ts';
import { collectGradients } from '../../api/report/calibrate.ts';
import { compileSource } from '../../dsl/index.ts';
import { isApproxReport, type CompressionContext } from '../../compiler/report/types.ts';
import { maxAbsDiff, merged, randomWeights, run, uniform } from '../linalg/fixtures.ts';
import { tensor } from '../../compiler/core/tensor.ts';

const opts = (given: Record<string, number | string | boolean> = {}) => resolveOptions(prune, given);
const input = (shape: number[], seed = 5) => ({
  data: uniform(
    shape.reduce((p, d) => p * d, 1),
    seed,
  ),
  shape,
});
const w = (b: GraphBuilder, path: string, shape: number[]): Node => b.weight(path, t('f32', shape));

/** Zeroes slices `idx` along `axis` of a row-major tensor. */
function zeroSlices(data: Float32Array, shape: number[], axis: number, idx: number[]): Float32Array {
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const out = Float32Array.from(data);
  out.forEach((_, i) => {
    if (idx.includes(Math.floor(i / inner) % shape[axis])) out[i] = 0;
  });
  return out;
}

function mlp(): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.param('x', t('f32', ['B', 4]));
  const h = b.op('relu', [b.op('add', [b.op('matmul', [x, w(b, 'l1.weight', [4, 6])]), w(b, 'l1.bias', [6])])]);
  return b.finish([b.op('matmul', [h, w(b, 'l2.weight', [6, 3])])]);
}

describe('prune (structured)', () => {
  it('removes the hidden units with the smallest L1 norm and shrinks both layers (golden)', () => {
    const g = mlp();
    const weights = randomWeights(g);
    const w1 = weights.get('l1.weight')!.data;
    weights.set('l1.weight', { ...weights.get('l1.weight')!, data: w1.map((v, i) => ([1, 3, 4].includes(i % 6) ? v * 0.01 : v)) });
    const r = prune.run(g, opts({ ratio: 0.5 }), { weights });
    expect(printGraph(r.graph)).toBe(`graph @mlp(%x: f32[B,4]) {
  %0 = weight {path="l1.weight.pruned"} : f32[4,3]
  %1 = matmul(%x, %0) {transposeA=false, transposeB=false} : f32[B,3]
  %2 = weight {path="l1.bias.pruned"} : f32[3]
  %3 = add(%1, %2) : f32[B,3]
  %4 = relu(%3) : f32[B,3]
  %5 = weight {path="l2.weight.pruned"} : f32[3,3]
  %6 = matmul(%4, %5) {transposeA=false, transposeB=false} : f32[B,3]
  return %6
}
`);
    const keep = [0, 2, 5];
    const l1 = weights.get('l1.weight')!.data,
      l2 = weights.get('l2.weight')!.data;
    expect([...r.weights!.get('l1.weight.pruned')!.data]).toEqual([0, 1, 2, 3].flatMap((i) => keep.map((j) => l1[i * 6 + j])));
    expect([...r.weights!.get('l2.weight.pruned')!.data]).toEqual(keep.flatMap((j) => [0, 1, 2].map((k) => l2[j * 3 + k])));
  });

  it('removes planted dead channels of a residual pair exactly (skip conv + conv, then a consumer)', async () => {
    const b = new GraphBuilder('res');
    const x = b.param('x', t('f32', ['B', 3, 5, 5]));
    const c1 = b.op('silu', [b.op('conv2d', [x, w(b, 'c1.weight', [8, 3, 3, 3]), w(b, 'c1.bias', [8])], { pad: [1, 1] })]);
    const c2 = b.op('conv2d', [c1, w(b, 'c2.weight', [8, 8, 3, 3]), w(b, 'c2.bias', [8])], { pad: [1, 1] });
    const skip = b.op('conv2d', [x, w(b, 'skip.weight', [8, 3, 1, 1])]);
    const h = b.op('silu', [b.op('add', [c2, skip])]);
    const g = b.finish([b.op('conv2d', [h, w(b, 'out.weight', [2, 8, 1, 1])])]);
    const weights = randomWeights(g);
    const dead = [2, 5];
    for (const [p, shape] of [
      ['c1.weight', [8, 3, 3, 3]],
      ['c1.bias', [8]],
      ['c2.weight', [8, 8, 3, 3]],
      ['c2.bias', [8]],
      ['skip.weight', [8, 3, 1, 1]],
    ] as const) {
      weights.set(p, { ...weights.get(p)!, data: zeroSlices(weights.get(p)!.data, [...shape], 0, dead) });
    }
    const r = prune.run(g, opts({ ratio: 0.25 }), { weights });
    expect(r.stats.groups).toBe(2);
    expect(r.weights!.get('out.weight.pruned')!.data.length).toBe(2 * 6);
    const inputs = { x: input([2, 3, 5, 5]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-6);
  });

  it('prunes [out, in] weights read with transposeB (planted dead unit, exact)', async () => {
    const b = new GraphBuilder('tb');
    const x = b.param('x', t('f32', ['B', 4]));
    const h = b.op('tanh', [b.op('matmul', [x, w(b, 'a', [6, 4])], { transposeB: true })]);
    const g = b.finish([b.op('matmul', [h, w(b, 'o', [3, 6])], { transposeB: true })]);
    const weights = randomWeights(g);
    weights.set('a', { ...weights.get('a')!, data: zeroSlices(weights.get('a')!.data, [6, 4], 0, [4]) });
    const r = prune.run(g, opts({ ratio: 1 / 6 }), { weights });
    expect(r.weights!.get('o.pruned')!.data.length).toBe(15);
    const inputs = { x: input([2, 4]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-6);
  });

  it('prunes the same number of channels from every GroupNorm group', () => {
    const b = new GraphBuilder('gn');
    const x = b.param('x', t('f32', ['B', 2, 4, 4]));
    const c = b.op('conv2d', [x, w(b, 'c.weight', [8, 2, 1, 1])]);
    const n = b.op('group_norm', [c, w(b, 'gn.gamma', [8]), w(b, 'gn.beta', [8])], { groups: 2 });
    const g = b.finish([b.op('conv2d', [n, w(b, 'out.weight', [3, 8, 1, 1])])]);
    const weights = randomWeights(g);
    // L1 by channel, lowest first: 0 < 1 < 2 < 3 < ... so a plain choice would take 0 and 1.
    weights.set('c.weight', { ...weights.get('c.weight')!, data: Float32Array.from({ length: 16 }, (_, i) => Math.floor(i / 2) + 1) });
    const r = prune.run(g, opts({ ratio: 0.25 }), { weights });
    expect([...r.weights!.get('gn.gamma.pruned')!.data]).toEqual([1, 2, 3, 5, 6, 7].map((i) => weights.get('gn.gamma')!.data[i]));
    expect(topoOrder(r.graph).find((m) => m.op === 'group_norm')!.attrs.groups).toBe(2);
  });

  it('keeps groups that share a GroupNorm through a concat in step, even when one has finer norm groups', async () => {
    const b = new GraphBuilder('gncat');
    const x = b.param('x', t('f32', ['B', 2, 3, 3]));
    const gn = (h: Node, name: string, c: number, groups: number) =>
      b.op('group_norm', [h, w(b, `${name}.gamma`, [c]), w(b, `${name}.beta`, [c])], { groups });
    const a = gn(b.op('conv2d', [x, w(b, 'a.weight', [8, 2, 1, 1])]), 'gna', 8, 2); // 4 channels per group
    const c = b.op('conv2d', [x, w(b, 'c.weight', [8, 2, 1, 1])]);
    const cat = gn(b.op('concat', [a, c], { axis: 1 }), 'gncat', 16, 2); // 8 channels per group
    const g = b.finish([b.op('conv2d', [cat, w(b, 'o.weight', [3, 16, 1, 1])])]);
    const weights = randomWeights(g);
    const r = prune.run(g, opts({ ratio: 0.125 }), { weights });
    // Both groups remove 1 of every 4 channels, so each 8-channel group of the shared norm loses 2.
    expect(r.weights!.get('gncat.gamma.pruned')!.data.length).toBe(12);
    expect(r.weights!.get('gna.gamma.pruned')!.data.length).toBe(6);
    const inputs = { x: input([1, 2, 3, 3]) };
    expect((await run(r.graph, inputs, merged(weights, r.weights))).length).toBe(27);
  });

  it('refuses a ratio that GroupNorm groups cannot take, with the numbers, unless told to skip', () => {
    const b = new GraphBuilder('gn');
    const x = b.param('x', t('f32', ['B', 2, 4, 4]));
    const c = b.op('conv2d', [x, w(b, 'c.weight', [8, 2, 1, 1])]);
    const n = b.op('group_norm', [c, w(b, 'gn.gamma', [8]), w(b, 'gn.beta', [8])], { groups: 4 }, { file: 'm.dn', line: 3, col: 5 });
    const g = b.finish([b.op('conv2d', [n, w(b, 'out.weight', [3, 8, 1, 1])])]);
    const weights = randomWeights(g);
    expect(() => prune.run(g, opts({ ratio: 0.2 }), { weights })).toThrow(
      /CPR0201: prune: ratio 0.2 cannot be applied to the 8 channels of 'c.weight': GroupNorm\(groups=4\) at m.dn:3:5 has 2 channels per group.*at least 0.25 and below 0.75/,
    );
    const r = prune.run(g, opts({ ratio: 0.2, skipInfeasible: true }), { weights });
    expect(r.changed).toBe(false);
    expect(isApproxReport(r.report) && r.report.skipped[0].reason).toMatch(/GroupNorm groups of 2 channels/);
  });

  it('leaves a residual stream that reaches the graph input alone and says why', () => {
    const b = new GraphBuilder('stream');
    const x = b.param('x', t('f32', ['B', 4]));
    const h = b.op('add', [x, b.op('matmul', [b.op('silu', [x]), w(b, 'f.weight', [4, 4])])]);
    const g = b.finish([b.op('matmul', [h, w(b, 'head.weight', [4, 2])])]);
    const weights = randomWeights(g);
    const r = prune.run(g, opts({ ratio: 0.5 }), { weights });
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
    const reasons = isApproxReport(r.report) ? Object.fromEntries(r.report.skipped.map((s) => [s.layer, s.reason])) : {};
    expect(reasons).toEqual({ 'f.weight': 'they reach the input %x', 'head.weight': 'they reach a graph output' });
    expect(() => prune.run(g, opts({ ratio: 0.5, include: '^f\\.' }), { weights })).toThrow(
      /CPR0206: prune: cannot prune 'f.weight': they reach the input %x/,
    );
  });

  it('removes whole attention heads (planted dead head) through the head reshapes exactly', async () => {
    const b = new GraphBuilder('attn');
    const x = b.param('x', t('f32', ['B', 5, 8]));
    const heads = (n: string) =>
      b.op('transpose', [b.op('reshape', [b.op('matmul', [x, w(b, `${n}.weight`, [8, 8])])], { shape: ['B', 5, 2, 4] })], { perm: [0, 2, 1, 3] });
    const a = b.op('attention', [heads('q'), heads('k'), heads('v')]);
    const merged2 = b.op('reshape', [b.op('transpose', [a], { perm: [0, 2, 1, 3] })], { shape: ['B', 5, 8] });
    const g = b.finish([b.op('add', [x, b.op('matmul', [merged2, w(b, 'o.weight', [8, 8])])])]);
    const weights = randomWeights(g);
    for (const n of ['q', 'k', 'v'])
      weights.set(`${n}.weight`, { ...weights.get(`${n}.weight`)!, data: zeroSlices(weights.get(`${n}.weight`)!.data, [8, 8], 1, [4, 5, 6, 7]) });
    const r = prune.run(g, opts({ ratio: 0.5 }), { weights });
    expect(isApproxReport(r.report) && r.report.layers.map((l) => [l.kind, l.detail])).toEqual([['heads', 'kept 1 of 2 heads']]);
    expect(printGraph(r.graph)).toContain('%2 = reshape(%1) {shape=["B", 5, 1, 4]} : f32[B,5,1,4]');
    expect(printGraph(r.graph)).toContain('%14 = reshape(%13) {shape=["B", 5, 4]} : f32[B,5,4]');
    const inputs = { x: input([2, 5, 8]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-6);
  });

  it('fixes the implicit attention scale when it prunes the query/key depth', () => {
    const b = new GraphBuilder('attn1');
    const x = b.param('x', t('f32', ['B', 5, 8]));
    const [q, k] = ['q', 'k'].map((n) => b.op('matmul', [x, w(b, `${n}.weight`, [8, 8])]));
    const g = b.finish([b.op('attention', [q, k, x])]);
    const r = prune.run(g, opts({ ratio: 0.25 }), { weights: randomWeights(g) });
    const att = topoOrder(r.graph).find((n) => n.op === 'attention')!;
    expect(att.attrs.scale).toBeCloseTo(1 / Math.sqrt(8), 12);
    expect(tensorOf(att.inputs[0]).shape).toEqual(['B', 5, 6]);
  });

  it('cuts a concat consumer at the right offsets (two planted dead channels)', async () => {
    const b = new GraphBuilder('cat');
    const x = b.param('x', t('f32', ['B', 2, 3, 3]));
    const a = b.op('relu', [b.op('conv2d', [x, w(b, 'a.weight', [4, 2, 1, 1])])]);
    const c = b.op('relu', [b.op('conv2d', [x, w(b, 'c.weight', [4, 2, 1, 1])])]);
    const g = b.finish([b.op('conv2d', [b.op('concat', [a, c], { axis: 1 }), w(b, 'o.weight', [3, 8, 1, 1])])]);
    const weights = randomWeights(g);
    weights.set('a.weight', { ...weights.get('a.weight')!, data: zeroSlices(weights.get('a.weight')!.data, [4, 2, 1, 1], 0, [1]) });
    weights.set('c.weight', { ...weights.get('c.weight')!, data: zeroSlices(weights.get('c.weight')!.data, [4, 2, 1, 1], 0, [3]) });
    const r = prune.run(g, opts({ ratio: 0.25 }), { weights });
    const o = weights.get('o.weight')!.data;
    expect([...r.weights!.get('o.weight.pruned')!.data]).toEqual([0, 1, 2].flatMap((row) => [0, 2, 3, 4, 5, 6].map((k) => o[row * 8 + k])));
    const inputs = { x: input([1, 2, 3, 3]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-6);
  });

  it('prunes inside a sampling loop body but never the carried state', async () => {
    const b = new GraphBuilder('s');
    const x0 = b.param('x', t('f32', [1, 2, 3, 3]));
    const [xn] = b.loop(2, [x0], [], (bb, { carried: [h] }) => {
      const mid = bb.op('silu', [bb.op('conv2d', [h, w(bb, 'c1.weight', [6, 2, 1, 1])])]);
      return [bb.op('add', [h, bb.op('conv2d', [mid, w(bb, 'c2.weight', [2, 6, 1, 1])])])];
    });
    const g = b.finish([xn]);
    const weights = randomWeights(g);
    weights.set('c1.weight', { ...weights.get('c1.weight')!, data: zeroSlices(weights.get('c1.weight')!.data, [6, 2, 1, 1], 0, [0, 4]) });
    const r = prune.run(g, opts({ ratio: 1 / 3 }), { weights });
    const reasons = isApproxReport(r.report) ? r.report.skipped.map((s) => s.reason) : [];
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatch(/^they reach a loop-carried value/);
    const inputs = { x: input([1, 2, 3, 3]) };
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), await run(g, inputs, weights))).toBeLessThan(1e-6);
  });

  it('ranks by first-order Taylor |Σ w·g| when asked, which can disagree with L1', async () => {
    const g = mlp();
    const weights = randomWeights(g);
    weights.set('l1.weight', { ...weights.get('l1.weight')!, data: Float32Array.from({ length: 24 }, (_, i) => (i % 6) + 1) }); // L1 grows with the unit
    const gradients = new Map([['l1.weight', Float32Array.from({ length: 24 }, (_, i) => (i % 6 === 5 ? 0 : 1))]]);
    const ctx: CompressionContext = { weights, calibration: { inputGram: new Map(), gradients } };
    const r = prune.run(g, opts({ ratio: 1 / 6, importance: 'taylor' }), ctx);
    const kept = r.weights!.get('l1.weight.pruned')!.data.slice(0, 5);
    expect([...kept]).toEqual([1, 2, 3, 4, 5]); // unit 5 (largest L1, zero gradient) was removed
    expect(() => prune.run(g, opts({ importance: 'taylor' }), { weights })).toThrow(/CPR0205/);
  });

  it('collects loss gradients that match the hand formula for a linear model', async () => {
    const b = new GraphBuilder('lin');
    const x = b.param('x', t('f32', [3, 2]));
    const g = b.finish([b.op('matmul', [x, w(b, 'W', [2, 2])])]);
    const W = Float32Array.of(1, 2, 3, 4),
      X = Float32Array.of(1, 0, 0, 1, 1, 1),
      target = Float32Array.of(0, 0, 1, 1, 2, 2);
    const grads = await collectGradients(g, new Map([['W', tensor([2, 2], W)]]), [{ inputs: { x: { data: X, shape: [3, 2] } }, target }]);
    // L = mean((XW − T)²) over 6 entries → ∂L/∂W = (2/6)·Xᵀ(XW − T).
    const y = [0, 1, 2].flatMap((i) => [0, 1].map((j) => X[i * 2] * W[j] + X[i * 2 + 1] * W[2 + j] - target[i * 2 + j]));
    const expected = [0, 1].flatMap((k) => [0, 1].map((j) => (2 / 6) * [0, 1, 2].reduce((s, i) => s + X[i * 2 + k] * y[i * 2 + j], 0)));
    expect(Array.from(grads.get('W')!)).toEqual(expected.map((v) => expect.closeTo(v, 5)));
  });

  it('rejects bad options', () => {
    const g = mlp();
    expect(() => prune.run(g, opts({ ratio: 1 }), {})).toThrow(/CPR0202: prune: ratio must be in \[0, 1\)/);
    expect(() => prune.run(g, opts({ mode: 'random' }), {})).toThrow(/CPR0203/);
  });
});

describe('prune on the unet_small topology', () => {
  it('removes planted dead channels exactly through concats, upsampling, residuals and the timestep broadcast', async () => {
    // BatchNorm instead of GroupNorm keeps a dead channel exactly zero; attention is left out because
    // its GroupNorm (in std/nn) would mix the dead channels into the statistics of the others.
    const edits: [string, string][] = [
      ['ch: int = 64, temb: int = 128', 'ch: int = 16, temb: int = 32'],
      ['GroupNorm(groups, cin)', 'BatchNorm2d(cin)'],
      ['GroupNorm(groups, cout)', 'BatchNorm2d(cout)'],
      ['GroupNorm(8, ch)', 'BatchNorm2d(ch)'],
      ['mid[1](attn(h), e)', 'mid[1](h, e)'],
    ];
    let source = readFileSync('examples/unet_small.dn', 'utf8');
    for (const [from, to] of edits) {
      expect(source.includes(from), from).toBe(true);
      source = source.replace(from, to);
    }
    const g = compileSource(source, 'examples/unet_small.dn').models[0].graph;
    const weights = randomWeights(g, 5, 0.3);
    // Kill the last quarter of every prunable group's units in every weight of the group.
    const groups = channelGroups(g).filter((x) => !x.blocked);
    expect(groups.length).toBeGreaterThan(8);
    for (const group of groups) {
      const dead = Array.from({ length: Math.round(group.units / 4) }, (_, i) => group.units - 1 - i);
      for (const { node, seg } of group.members) {
        if (!isValueLeaf(node)) continue;
        const path = node.attrs.path as string;
        const idx = dead.flatMap((u) => Array.from({ length: seg.block }, (_, j) => seg.offset + u * seg.block + j));
        weights.set(path, { ...weights.get(path)!, data: zeroSlices(weights.get(path)!.data, tensorOf(node).shape as number[], seg.axis, idx) });
      }
    }
    const r = prune.run(g, opts({ ratio: 0.25 }), { weights });
    expect(r.stats.groups).toBe(groups.length);
    expect(r.stats.flopsAfter).toBeLessThan(0.75 * r.stats.flopsBefore);
    const inputs = { x: input([2, 1, 28, 28]), t: { data: Float32Array.of(10, 600), shape: [2] }, y: { data: Int32Array.of(1, 8), shape: [2] } };
    const exact = await run(g, inputs, weights);
    const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbsDiff(await run(r.graph, inputs, merged(weights, r.weights)), exact)).toBeLessThan(1e-5 * scale);
  });
});

describe('prune (unstructured)', () => {
  it('zeroes the smallest magnitudes of each weight and changes no shape', () => {
    const g = mlp();
    const weights = randomWeights(g);
    const r = prune.run(g, opts({ mode: 'unstructured', ratio: 0.5 }), { weights });
    expect(printGraph(r.graph)).toBe(printGraph(g).replace('"l1.weight"', '"l1.weight.sparse"').replace('"l2.weight"', '"l2.weight.sparse"'));
    for (const p of ['l1.weight', 'l2.weight']) {
      const before = weights.get(p)!.data,
        after = r.weights!.get(`${p}.sparse`)!.data;
      const zeros = after.filter((v) => v === 0).length;
      expect(zeros).toBe(Math.round(before.length / 2));
      const smallestKept = Math.min(
        ...Array.from(after)
          .filter((v) => v !== 0)
          .map(Math.abs),
      );
      const largestDropped = Math.max(
        ...Array.from(before)
          .filter((_, i) => after[i] === 0)
          .map(Math.abs),
      );
      expect(largestDropped).toBeLessThanOrEqual(smallestKept);
    }
    expect(r.stats.sparsity).toBeCloseTo((12 + 9) / (24 + 18), 10);
  });
});
