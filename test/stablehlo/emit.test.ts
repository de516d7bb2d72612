// Emitter behaviour beyond single ops: Philox in integer StableHLO against the Random123 answers,
// bf16 precision, TPU tiling, unrolled loops, and the errors bad graphs and options raise.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { allNodesDeep, type Graph } from '../../compiler/core/ir/node.ts';
import { fuse } from '../../targets/webgpu/passes/fuse.ts';
import { resolveOptions } from '../../compiler/passes/pass.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { defineOp } from '../../compiler/core/ops/registry.ts';
import { emitStableHLO } from '../../targets/stablehlo/emit.ts';
import { makeTensor } from '../../tools/stablehlo-interpreter/interpret-tensor.ts';
import { runStableHLO } from '../../tools/stablehlo-interpreter/interpret.ts';
import { ModuleWriter, writeFunction } from '../../targets/stablehlo/module.ts';
import { philoxFunction } from '../../targets/stablehlo/philox.ts';
import { runEmitted } from '../../tools/stablehlo-interpreter/run.ts';
import { ttype } from '../../targets/stablehlo/types.ts';
import { compareWithReference, expectMatchesReference, normals } from './helpers.ts';

/** Runs the emitted @philox4x32_10_1 on one counter and key. */
function philox(counter: number[], key: number[]): number[] {
  const module = new ModuleWriter();
  const vec = ttype('ui32', [1]),
    scalar = ttype('ui32', []);
  const fn = philoxFunction(module, 1);
  const main = writeFunction(
    'main',
    { visibility: 'public', params: [vec, vec, vec, vec, scalar, scalar], results: [vec, vec, vec, vec] },
    (w, args) => w.call(fn, args, [vec, vec, vec, vec]),
  );
  const args = [...counter.map((c) => makeTensor(vec, [c])), ...key.map((k) => makeTensor(scalar, [k]))];
  return runStableHLO(module.render('kat', main), args).map((t) => t.data[0]);
}

describe('Philox4x32-10 written in StableHLO integer ops', () => {
  // Random123's tests/kat_vectors, the three "philox4x32 10" lines (counter, key → result).
  it('gives the Random123 answer for zero counter and key', () => {
    expect(philox([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });
  it('gives the Random123 answer for all-ones counter and key', () => {
    const ones = 0xffffffff;
    expect(philox([ones, ones, ones, ones], [ones, ones])).toEqual([0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]);
  });
  it('gives the Random123 answer for the pi-digits vector', () => {
    expect(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });
});

/** A two-layer MLP over a 3-step loop: x ← silu(x·W1)·W2 · c[i]. */
function mlpLoop(hidden: number): Graph {
  const b = new GraphBuilder('mlp');
  const x = b.param('x', tensorType('f32', ['B', 100]));
  const table = b.constant(Float32Array.of(0.9, 1.1, 0.8), [3]);
  const [y] = b.loop(3, [x], [table], (bb, { iter, carried, captures }) => {
    const w1 = bb.weight('w1', tensorType('f32', [100, hidden]));
    const w2 = bb.weight('w2', tensorType('f32', [hidden, 100]));
    const h = bb.op('silu', [bb.op('matmul', [carried[0], w1])]);
    return [bb.op('mul', [bb.op('matmul', [h, w2]), bb.op('gather', [captures[0], iter])])];
  });
  return b.finish([y]);
}

const mlpWeights = (hidden: number): Map<string, Float32Array> =>
  new Map([
    ['w1', normals(100 * hidden, 2).map((v) => v * 0.1)],
    ['w2', normals(hidden * 100, 3).map((v) => v * 0.1)],
  ]);

describe('TPU-style options', () => {
  const x = normals(6 * 100, 1);

  it('bf16 rounds dot operands only: close to f32, but not equal', async () => {
    const c = await compareWithReference(mlpLoop(120), { x }, mlpWeights(120), { dims: { B: 6 }, precision: 'bf16' });
    const { maxErr, maxRef } = c.errors[0];
    expect(maxErr).toBeGreaterThan(0);
    expect(maxErr).toBeLessThan(2e-2 * maxRef);
    expect(c.emitted.manifest.weights.every((w) => w.dtype === 'bf16')).toBe(true);
  });

  it('tile tpu pads K=100 to 128 and 7 rows to 8, slices the padding away, and changes no value', async () => {
    const opts = { dims: { B: 7 } } as const;
    const plain = emitStableHLO(mlpLoop(120), opts);
    const tiled = emitStableHLO(mlpLoop(120), { ...opts, tile: 'tpu' });
    expect(plain.text).not.toContain('stablehlo.pad');
    expect(tiled.text).toContain('stablehlo.pad %iterArg_1, %');
    expect(tiled.text).toMatch(/-> tensor<8x128xf32>/);
    expect(tiled.text).toMatch(/dot_general .*\(tensor<8x128xf32>, tensor<128x128xf32>\) -> tensor<8x128xf32>/);
    const inputs = { x: normals(7 * 100, 4) },
      weights = mlpWeights(120);
    const a = runEmitted(plain, inputs, weights)[0].data,
      t = runEmitted(tiled, inputs, weights)[0].data;
    expect(Array.from(t)).toEqual(Array.from(a));
  });

  it('tile tpu pads conv channels (100 in, 120 out → 128) and batched matmuls without changing values', async () => {
    const b = new GraphBuilder('tiles');
    const x = b.param('x', tensorType('f32', [1, 100, 5, 5]));
    const conv = b.op('conv2d', [x, b.weight('w', tensorType('f32', [120, 100, 3, 3])), b.weight('bias', tensorType('f32', [120]))], { pad: [1, 1] });
    const q = b.op('reshape', [conv], { shape: [4, 30, 25] });
    const g = b.finish([b.op('matmul', [q, q], { transposeB: true })]);
    const weights = new Map([
      ['w', normals(120 * 900, 2).map((v) => v * 0.05)],
      ['bias', normals(120, 3)],
    ]);
    const inputs = { x: normals(2500, 5) };
    const plain = emitStableHLO(g),
      tiled = emitStableHLO(g, { tile: 'tpu' });
    expect(tiled.text).toMatch(/convolution\(.*\(tensor<1x5x5x128xf32>, tensor<3x3x128x128xf32>\) -> tensor<1x5x5x128xf32>/);
    // Rows 30 → 32 sublanes; K = 25 and N = 30 would grow more than 1.3× to reach 128 lanes, so they stay.
    expect(tiled.text).toMatch(/dot_general .*\(tensor<4x32x25xf32>, tensor<4x30x25xf32>\) -> tensor<4x32x30xf32>/);
    expect(Array.from(runEmitted(tiled, inputs, weights)[0].data)).toEqual(Array.from(runEmitted(plain, inputs, weights)[0].data));
    await expectMatchesReference(g, inputs, weights, { tile: 'tpu', rtol: 1e-5, atol: 1e-4 });
  });

  it('convLayout: channels-last convolutions between transposes (default) or channels-first ones, same values', async () => {
    const b = new GraphBuilder('layouts');
    const x = b.param('x', tensorType('f32', [2, 3, 9, 7]));
    const w = b.weight('w', tensorType('f32', [6, 3, 3, 2]));
    const y = b.op('conv2d', [x, w], { stride: [2, 1], pad: [1, 0], dilation: [1, 2] });
    const g = b.finish([b.op('avg_pool2d', [y], { kernel: [2, 2], stride: [1, 1] })]);
    const weights = new Map([['w', normals(108, 2)]]);
    const inputs = { x: normals(378, 5) };
    const nhwc = emitStableHLO(g),
      nchw = emitStableHLO(g, { convLayout: 'nchw' });
    expect(nhwc.text).toMatch(/transpose %arg0, dims = \[0, 2, 3, 1\]/);
    expect(nhwc.text).toContain('dim_numbers = [b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]');
    expect(nhwc.text).not.toContain('[b, f, 0, 1]');
    expect(nchw.text).not.toContain('transpose');
    expect(nchw.text).toContain('dim_numbers = [b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]');
    const [a] = runEmitted(nhwc, inputs, weights),
      [c] = runEmitted(nchw, inputs, weights);
    expect(Array.from(a.data)).toEqual(Array.from(c.data));
    await expectMatchesReference(g, inputs, weights, { rtol: 1e-5, atol: 1e-5 });
    expect(() => emitStableHLO(g, { convLayout: 'hwcn' as never })).toThrow(/HLO0002: convLayout must be 'nchw' or 'nhwc'/);
  });

  it('does not pad where it would not pay (a 2-wide dim stays 2)', () => {
    const b = new GraphBuilder('narrow');
    const x = b.param('x', tensorType('f32', [8, 2]));
    const w = b.weight('w', tensorType('f32', [2, 2]));
    expect(emitStableHLO(b.finish([b.op('matmul', [x, w])]), { tile: 'tpu' }).text).not.toContain('stablehlo.pad');
  });

  it('unroll gives the same numbers as the while loop', async () => {
    const inputs = { x },
      weights = mlpWeights(16);
    const loop = await expectMatchesReference(mlpLoop(16), inputs, weights, { dims: { B: 6 } });
    const flat = await expectMatchesReference(mlpLoop(16), inputs, weights, { dims: { B: 6 }, unroll: true });
    expect(loop.emitted.text).toContain('stablehlo.while');
    expect(flat.emitted.text).not.toContain('stablehlo.while');
    expect(Array.from(flat.outputs[0])).toEqual(Array.from(loop.outputs[0]));
  });
});

describe('graphs after the fuse pass', () => {
  it('emits fused kernels inline, with the numbers of the unfused graph', async () => {
    const b = new GraphBuilder('fused');
    const x = b.param('x', tensorType('f32', [2, 3, 6, 6]));
    const y = b.op('conv2d', [x, b.weight('w', tensorType('f32', [4, 3, 3, 3])), b.weight('bias', tensorType('f32', [4]))], { pad: [1, 1] });
    const g = b.finish([b.op('mul', [b.op('silu', [y]), b.scalar(0.5)])]);
    const fused = fuse.run(g, resolveOptions(fuse), {}).graph;
    expect(allNodesDeep(fused).some((n) => n.op === 'kernel')).toBe(true);
    const weights = new Map([
      ['w', normals(108, 2)],
      ['bias', normals(4, 3)],
    ]);
    const inputs = { x: normals(216, 4) };
    const text = emitStableHLO(fused).text;
    expect(text).not.toContain('kernel');
    expect(Array.from(runEmitted(emitStableHLO(fused), inputs, weights)[0].data)).toEqual(
      Array.from(runEmitted(emitStableHLO(g), inputs, weights)[0].data),
    );
    await expectMatchesReference(g, inputs, weights);
  });
});

describe('StableHLO emitter errors', () => {
  const diagnostics = (fn: () => unknown): { code: string; message: string; hint?: string }[] => {
    try {
      fn();
    } catch (e) {
      if (e instanceof DenocError) return [...e.diagnostics];
      throw e;
    }
    return [];
  };

  it('names an unbound symbolic dim and suggests dims', () => {
    const [d] = diagnostics(() => emitStableHLO(mlpLoop(4)));
    expect(d.code).toBe('HLO0001');
    expect(d.message).toMatch(/unbound dim 'B'/);
    expect(d.hint).toBe('pass dims: {B: <size>}');
  });

  it('rejects unknown options and bad values', () => {
    expect(diagnostics(() => emitStableHLO(mlpLoop(4), { dims: { B: 2 }, precision: 'f16' as 'f32' }))[0].message).toMatch(
      /precision must be 'f32' or 'bf16'/,
    );
    expect(diagnostics(() => emitStableHLO(mlpLoop(4), { dims: { B: 0 } }))[0].code).toBe('HLO0002');
    expect(diagnostics(() => emitStableHLO(mlpLoop(4), { dim: {} } as never))[0].message).toMatch(/unknown StableHLO option 'dim'/);
  });

  it('reports an op without a lowering', () => {
    defineOp({ name: 'test_only_mystery', summary: 'an op no target knows', attrs: {}, arity: 1, fusion: 'elementwise', inferType: ([x]) => x });
    const b = new GraphBuilder('mystery');
    const g = b.finish([b.op('test_only_mystery', [b.param('x', tensorType('f32', [2]))])]);
    const [d] = diagnostics(() => emitStableHLO(g));
    expect(d.code).toBe('HLO0003');
    expect(d.message).toBe("op 'test_only_mystery' has no StableHLO lowering");
  });
});
