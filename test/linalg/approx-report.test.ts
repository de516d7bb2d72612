// The compression report: spec parsing, error measurement against values known in advance, and
// the whole report on a small model with a sampler loop (tables, errors, FLOPs, a decodable PNG).
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import type { Graph, Node } from '../../compiler/core/ir/node.ts';
import { compressionReport, orderPasses, parseCompressionSpec } from '../../api/report/approx-report.ts';
import { relativeError, syntheticInputs } from '../../api/report/measure.ts';
import { randomWeights } from './fixtures.ts';

/** A denoiser eps(x, t, y) = MLP(x) + embed(y)·w(t), hidden 64 wide. */
function denoiser(b: GraphBuilder, x: Node, t: Node, y: Node): Node {
  const w = (p: string, s: number[]) => b.weight(p, { kind: 'tensor', dtype: 'f32', shape: s });
  const h = b.op('silu', [b.op('add', [b.op('matmul', [x, w('l1.weight', [8, 64])]), w('l1.bias', [64])])]);
  const h2 = b.op('silu', [b.op('matmul', [h, w('l2.weight', [64, 64])])]);
  const out = b.op('matmul', [h2, w('l3.weight', [64, 8])]);
  const cond = b.op('mul', [b.op('gather', [w('embed', [10, 8]), y]), b.op('reshape', [b.op('mul', [t, b.scalar(1e-3)])], { shape: ['B', 1] })]);
  return b.op('add', [out, cond]);
}

function model(): Graph {
  const b = new GraphBuilder('den');
  const [x, tt, y] = [b.param('x', t('f32', ['B', 8])), b.param('t', t('f32', ['B'])), b.param('y', t('i32', ['B']))];
  return b.finish([denoiser(b, x, tt, y)]);
}

function sampler(): Graph {
  const b = new GraphBuilder('samp');
  const seed = b.param('seed', t('i32', []));
  const y = b.param('y', t('i32', ['B']));
  const x0 = b.op('randn', [seed], { shape: ['B', 8] });
  const [xn] = b.loop(3, [x0], [y], (bb, { iter, carried: [x], captures: [label] }) => {
    const tt = bb.op('broadcast_to', [bb.op('gather', [bb.constant(Float32Array.of(900, 500, 100), [3]), iter])], { shape: ['B'] });
    const eps = denoiser(bb, x, tt, label);
    return [bb.op('sub', [x, bb.op('mul', [eps, bb.scalar(0.3)])])];
  });
  return b.finish([xn]);
}

describe('compression spec', () => {
  it('reads amounts to cut, explicit options and bare names', () => {
    expect(parseCompressionSpec('low-rank=0.5, prune=0.3')).toEqual([
      { name: 'low-rank', options: { budget: 0.5 } },
      { name: 'prune', options: { ratio: 0.3 } },
    ]);
    expect(parseCompressionSpec('prune{ratio=0.25,mode=unstructured},fold-batchnorm')).toEqual([
      { name: 'prune', options: { ratio: 0.25, mode: 'unstructured' } },
      { name: 'fold-batchnorm', options: {} },
    ]);
    expect(() => parseCompressionSpec('fold-batchnorm=0.5')).toThrow(/CPR0301/);
    expect(() => parseCompressionSpec('prune=1.5')).toThrow(/CPR0302.*\[0, 1\)/);
    expect(() => parseCompressionSpec('prun=0.5')).toThrow(/CPR0301/);
  });

  it('runs passes in the fixed order whatever order they are given in', () => {
    const names = orderPasses(parseCompressionSpec('hoist-loop-invariant,low-rank=0.2,cse,prune=0.1,fold-batchnorm')).map((p) => p.name);
    expect(names).toEqual(['fold-batchnorm', 'prune', 'low-rank', 'hoist-loop-invariant', 'cse']);
  });
});

describe('error measurement', () => {
  it('measures exactly 0.1 for a linear model whose weight is scaled by 1.1', async () => {
    const b = new GraphBuilder('lin');
    const x = b.param('x', t('f32', ['B', 6, 4]));
    const g = b.finish([b.op('matmul', [x, b.weight('W', t('f32', [4, 3]))])]);
    const w = randomWeights(g);
    const b2 = new GraphBuilder('lin');
    const g2 = b2.finish([b2.op('matmul', [b2.param('x', t('f32', ['B', 6, 4])), b2.weight('W2', t('f32', [4, 3]))])]);
    const scaled = new Map([['W2', { ...w.get('W')!, data: w.get('W')!.data.map((v) => v * 1.1) }]]);
    const err = await relativeError({ exact: g, exactWeights: w, approx: g2, approxWeights: scaled }, 3, { dims: { B: 2 }, seed: 1 });
    expect(err).toBeCloseTo(0.1, 6);
  });

  it('synthesises seeds, labels, timesteps and normal noise from the params', () => {
    const inputs = syntheticInputs(model(), { dims: { B: 4 }, seed: 3, classes: 10 });
    expect(inputs.x.shape).toEqual([4, 8]);
    expect([...inputs.y.data]).toEqual([0, 1, 2, 3]);
    expect([...inputs.t.data]).toEqual([125, 375, 625, 875]);
    const s = syntheticInputs(sampler(), { dims: { B: 2 }, seed: 9 });
    expect([...s.seed.data]).toEqual([9]);
  });
});

describe('compressionReport', () => {
  it('reports savings, both errors, per-pass tables and a chart for a sampler', async () => {
    const g = sampler();
    const w = randomWeights(g, 2, 0.3);
    const r = await compressionReport(g, w, parseCompressionSpec('low-rank=0.5,prune=0.25,hoist-loop-invariant'), {
      model: model(),
      batch: 2,
      sweep: [0.2, 0.5],
    });
    expect(r.errors.denoiser).toBeGreaterThan(0);
    expect(r.errors.sample).toBeGreaterThan(0);
    expect(r.errors.sample).toBeLessThan(1);
    expect(r.markdown).toMatch(/^# Compression report: @samp/);
    expect(r.markdown).toContain('## prune');
    expect(r.markdown).toContain('## low-rank');
    expect(r.markdown).toContain('## hoist-loop-invariant (exact up to float rounding)');
    expect(r.markdown).toContain('![denoiser error against saved FLOPs](report.png)');
    expect(r.sweep.map((p) => [p.pass, p.value])).toEqual([
      ['prune', 0.2],
      ['prune', 0.5],
      ['low-rank', 0.2],
      ['low-rank', 0.5],
    ]);
    // More cut → more FLOPs saved, for each pass.
    expect(r.sweep[1].savedFlops).toBeGreaterThan(r.sweep[0].savedFlops);
    expect(r.sweep[3].savedFlops).toBeGreaterThan(r.sweep[2].savedFlops);
    const png = PNG.sync.read(Buffer.from(r.png));
    expect(png.width).toBeGreaterThan(100);
    for (const path of r.weights.keys()) expect(w.has(path) || /\.(pruned|lowrank_[uv])$/.test(path)).toBe(true);
  });

  it('measures no error for exact passes', async () => {
    const g = sampler();
    const w = randomWeights(g, 4, 0.3);
    const r = await compressionReport(g, w, parseCompressionSpec('hoist-loop-invariant,fold-batchnorm'), { model: model(), batch: 2, sweep: [] });
    expect(r.errors.denoiser).toBe(0);
    expect(r.errors.sample).toBeLessThan(1e-6);
    expect(r.sweep).toEqual([]);
  });
});
