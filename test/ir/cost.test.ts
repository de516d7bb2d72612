// graphCost on hand-computed graphs. Expected figures follow the op cost convention of the registry
// (FLOPs: matmul 2·M·N·K, add/mul one per output element, gather none; bytes: 4 per element of
// every input and of the output), worked out by hand below.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { graphCost } from '../../compiler/analysis/cost.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';

/** x[B,4] @ W[4,8] + b[8], then 5 steps of x ← x · table[i] + b (b read again inside the body). */
function linearThenLoop() {
  const b = new GraphBuilder('g');
  const x = b.param('x', tensorType('f32', ['B', 4]));
  const w = b.weight('l.w', tensorType('f32', [4, 8]));
  const bias = b.weight('l.b', tensorType('f32', [8]));
  const y = b.op('add', [b.op('matmul', [x, w]), bias]);
  const table = b.constant(Float32Array.of(1, 2, 3, 4, 5), [5]);
  const [z] = b.loop(5, [y], [table], (bb, { iter, carried, captures }) => {
    const scaled = bb.op('mul', [carried[0], bb.op('gather', [captures[0], iter], { axis: 0 })]);
    return [bb.op('add', [scaled, bb.weight('l.b', tensorType('f32', [8]))])];
  });
  return b.finish([z]);
}

describe('graphCost', () => {
  it('sums kernel costs, counts loop bodies once per step and weights once per path', () => {
    const c = graphCost(linearThenLoop(), { B: 3 });
    // matmul: 2·3·8·4 = 192 FLOPs, 4·(12 + 32 + 24) = 272 bytes; add: 24 FLOPs, 4·(24 + 8 + 24) = 224 bytes
    // per step: gather 0 FLOPs, 4·(5 + 1 + 1) = 28 bytes; mul 24 FLOPs, 4·(24 + 1 + 24) = 196 bytes;
    // add 24 FLOPs, 224 bytes
    expect(c.perStep).toEqual({ flops: 48, bytes: 28 + 196 + 224 });
    expect(c.flops).toBe(192 + 24 + 5 * 48);
    expect(c.bytes).toBe(272 + 224 + 5 * 448);
    expect(c.params).toBe(4 * 8 + 8);
    expect(c.byOp).toEqual({ matmul: 192, add: 24 + 5 * 24, mul: 5 * 24, gather: 0 });
  });

  it('scales with the bound batch size', () => {
    expect(graphCost(linearThenLoop(), { B: 6 }).flops).toBe(2 * (192 + 24 + 5 * 48));
  });

  it('multiplies nested loop counts', () => {
    const b = new GraphBuilder('nested');
    const x = b.param('x', tensorType('f32', [10]));
    const [y] = b.loop(3, [x], [], (ob, o) => ob.loop(4, [o.carried[0]], [], (ib, i) => [ib.op('add', [i.carried[0], i.carried[0]])]));
    const c = graphCost(b.finish([y]));
    expect(c.byOp.add).toBe(3 * 4 * 10);
    expect(c.perStep.flops).toBe(4 * 10);
    expect(c.bytes).toBe(3 * 4 * 4 * 30);
  });

  it('treats a graph without a loop as one step', () => {
    const b = new GraphBuilder('m');
    const x = b.param('x', tensorType('f32', [2, 3]));
    const c = graphCost(b.finish([b.op('matmul', [x, b.weight('w', tensorType('f32', [3, 5]))])]));
    expect(c.flops).toBe(2 * 2 * 5 * 3);
    expect(c.perStep).toEqual({ flops: c.flops, bytes: c.bytes });
  });

  it('fails clearly when a symbolic dim is left unbound', () => {
    expect(() => graphCost(linearThenLoop())).toThrow(DenocError);
    expect(() => graphCost(linearThenLoop())).toThrow(/needs dims B bound/);
  });
});
