// hoist-loop-invariant: golden IR, loops it must leave alone, nested hoisting, numerics of a
// class-conditioned cross-attention sampler step, and the FLOPs per step (hand-counted).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../dsl/index.ts';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import { topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { hoistLoopInvariant } from '../../compiler/passes/hoist-loop-invariant.ts';
import { maxAbsDiff, randomWeights, run, uniform } from '../linalg/fixtures.ts';

function simpleLoop(count = 3): Graph {
  const b = new GraphBuilder('s');
  const x = b.param('x', t('f32', [2]));
  const c = b.param('c', t('f32', [2]));
  const [out] = b.loop(count, [x], [c], (bb, { carried, captures }) => [bb.op('add', [carried[0], bb.op('silu', [captures[0]])])]);
  return b.finish([out]);
}

/** One sampler step: x ← x·table[i] + attention(x W_q, ctx W_k, ctx W_v) + MLP(embed[y]). */
function crossAttentionSampler(): Graph {
  const b = new GraphBuilder('sampler');
  const x = b.param('x', t('f32', ['B', 1, 4]));
  const y = b.param('y', t('i32', ['B']));
  const ctx = b.param('ctx', t('f32', ['B', 3, 5]));
  const [out] = b.loop(4, [x], [y, ctx], (bb, { iter, carried: [h], captures: [label, context] }) => {
    const emb = bb.op('gather', [bb.weight('embed', t('f32', [10, 4])), label]);
    const cond = bb.op('reshape', [bb.op('silu', [bb.op('matmul', [emb, bb.weight('mlp', t('f32', [4, 4]))])])], { shape: ['B', 1, 4] });
    const k = bb.op('matmul', [context, bb.weight('wk', t('f32', [5, 4]))]);
    const v = bb.op('matmul', [context, bb.weight('wv', t('f32', [5, 4]))]);
    const q = bb.op('matmul', [h, bb.weight('wq', t('f32', [4, 4]))]);
    const coef = bb.op('gather', [bb.constant(Float32Array.of(1, 0.9, 0.8, 0.7), [4]), iter]);
    const a = bb.op('attention', [q, k, v]);
    return [bb.op('add', [bb.op('add', [bb.op('mul', [h, coef]), a]), cond])];
  });
  return b.finish([out]);
}

describe('hoist-loop-invariant', () => {
  it('moves a computation on a capture out of the loop (golden)', () => {
    const r = hoistLoopInvariant.run(simpleLoop(), {}, {});
    expect(printGraph(r.graph)).toBe(`graph @s(%x: f32[2], %c: f32[2]) {
  %0 = silu(%c) : f32[2]
  %1 = loop(%x, %c, %0) {count=3, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[2], %capture1: f32[2]) {
      %2 = add(%carried0, %capture1) : f32[2]
      yield %2
    }
  %3 = tuple_get(%1) {index=0} : f32[2]
  return %3
}
`);
    expect(r.stats.movedNodes).toBe(1);
    expect(r.stats.newCaptures).toBe(1);
  });

  it('leaves a body alone when everything depends on the step or the carried state', () => {
    const b = new GraphBuilder('s');
    const x = b.param('x', t('f32', [2, 3]));
    const [out] = b.loop(3, [x], [], (bb, { iter, carried }) => {
      const w = bb.weight('w', t('f32', [3, 3]));
      const s = bb.op('cast', [iter], { dtype: 'f32' });
      return [bb.op('mul', [bb.op('matmul', [carried[0], w]), s])];
    });
    const g = b.finish([out]);
    const r = hoistLoopInvariant.run(g, {}, {});
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
  });

  it('leaves a loop that never runs alone (hoisting would add work)', () => {
    const g = simpleLoop(0);
    const r = hoistLoopInvariant.run(g, {}, {});
    expect(r.changed).toBe(false);
    expect(printGraph(r.graph)).toBe(printGraph(g));
  });

  it('hoists out of nested loops as far as the values allow', () => {
    const b = new GraphBuilder('nest');
    const x = b.param('x', t('f32', [2]));
    const c = b.param('c', t('f32', [2]));
    const [out] = b.loop(2, [x], [c], (ob, { carried: [h], captures: [oc] }) => {
      const [inner] = ob.loop(3, [h], [oc], (ib, { carried: [d], captures: [ic] }) => [ib.op('add', [d, ib.op('exp', [ic])])]);
      return [inner];
    });
    const g = b.finish([out]);
    const r = hoistLoopInvariant.run(g, {}, {});
    const topOps = topoOrder(r.graph).map((n) => n.op);
    expect(topOps).toContain('exp');
    const outerBody = topoOrder(r.graph).find((n) => n.op === 'loop')!.regions[0];
    expect(topoOrder(outerBody).map((n) => n.op)).not.toContain('exp');
  });

  it('keeps the sample of a cross-attention sampler exactly and caches the conditioning', async () => {
    const g = crossAttentionSampler();
    const weights = randomWeights(g);
    const r = hoistLoopInvariant.run(g, {}, { dims: { B: 2 } });
    const body = topoOrder(r.graph).find((n) => n.op === 'loop')!.regions[0];
    const bodyMatmuls = topoOrder(body).filter((n) => n.op === 'matmul');
    expect(bodyMatmuls).toHaveLength(1); // only the query projection of the carried state remains
    const inputs = {
      x: { data: uniform(8, 1), shape: [2, 1, 4] },
      y: { data: Int32Array.of(3, 7), shape: [2] },
      ctx: { data: uniform(30, 2), shape: [2, 3, 5] },
    };
    const exact = await run(g, inputs, weights);
    expect(maxAbsDiff(await run(r.graph, inputs, weights), exact)).toBeLessThan(1e-6);
  });

  it('reports FLOPs per step before and after (counted by hand for B = 2)', () => {
    const r = hoistLoopInvariant.run(crossAttentionSampler(), {}, { dims: { B: 2 } });
    // Moved out: mlp matmul 2·2·4·4 = 64, silu 5·8 = 40, K and V projections 2·(2·2·3·5·4) = 480.
    expect(r.stats.flopsPerStepBefore - r.stats.flopsPerStepAfter).toBe(64 + 40 + 480);
  });
});

describe('hoist-loop-invariant on examples/unet_context.dn', () => {
  it('computes the context encoder and cross-attention K/V once per sample, exactly', async () => {
    const file = 'examples/unet_context.dn';
    const source = `${readFileSync(file, 'utf8')}\nsampler short = ddim(UNetContext, steps: 2)\n`;
    const program = compileSource(source, file);
    const g = program.samplers.find((s) => s.name === 'short')!.graph;
    const r = hoistLoopInvariant.run(g, {}, { dims: { B: 1 } });
    const loop = topoOrder(r.graph).find((n) => n.op === 'loop')!;
    const pathsIn = (graph: Graph) =>
      new Set(
        topoOrder(graph)
          .filter((n) => n.op === 'weight')
          .map((n) => n.attrs.path as string),
      );
    const inBody = pathsIn(loop.regions[0]),
      outside = pathsIn(r.graph);
    for (const p of [
      'encoder.0.attn.q.weight',
      'encoder.1.mlp.fc2.weight',
      'pooled.weight',
      'xattn1.k.weight',
      'xattn1.v.weight',
      'xattn_mid.k.weight',
      'xattn_mid.v.weight',
    ]) {
      expect(outside.has(p), p).toBe(true);
      expect(inBody.has(p), p).toBe(false);
    }
    expect(inBody.has('xattn1.q.weight')).toBe(true);
    expect(r.stats.flopsPerStepAfter).toBeLessThan(0.96 * r.stats.flopsPerStepBefore);
    const weights = randomWeights(g, 3, 0.1);
    const inputs = { seed: { data: Int32Array.of(7), shape: [] }, ctx: { data: uniform(16 * 128, 8), shape: [1, 16, 128] } };
    const exact = await run(g, inputs, weights);
    expect(maxAbsDiff(await run(r.graph, inputs, weights), exact)).toBeLessThan(1e-5);
  });
});
