// The TPU roofline model on hand-computed cases (TPU v4: 275e12 bf16 FLOP/s, 1.2e12 B/s HBM).
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { estimateTpuCost, tpuCostReport, TPU_V4 } from '../../targets/stablehlo/tpu-cost.ts';

function matmul(m: number, k: number, n: number): Graph {
  const b = new GraphBuilder('mm');
  const x = b.param('x', tensorType('f32', [m, k]));
  return b.finish([b.op('matmul', [x, b.weight('w', tensorType('f32', [k, n]))])]);
}

const close = (a: number, b: number): void => expect(a / b).toBeCloseTo(1, 9);

describe('TPU cost model', () => {
  it('a tile-aligned small matmul in bf16 is memory-bound', () => {
    const [op] = estimateTpuCost(matmul(8, 128, 128)).ops;
    expect(op.mxuFlops).toBe(2 * 8 * 128 * 128);
    expect(op.paddingWaste).toBe(0);
    close(op.mxuTime, 262144 / 275e12);
    // x and the output in f32, the weight in bf16: 4096 + 32768 + 4096 bytes.
    expect(op.bytes).toBe(40960);
    close(op.memoryTime, 40960 / 1.2e12);
    expect(op.bound).toBe('memory');
  });

  it('f32 (HIGHEST) costs six bf16 passes and 4-byte weights', () => {
    const [op] = estimateTpuCost(matmul(8, 128, 128), { precision: 'f32' }).ops;
    close(op.mxuTime, (6 * 262144) / 275e12);
    expect(op.bytes).toBe(4096 + 65536 + 4096);
  });

  it('pads 100×100×100 to 104×128×128 and reports the waste', () => {
    const [op] = estimateTpuCost(matmul(100, 100, 100)).ops;
    expect(op.mxuFlops).toBe(2 * 104 * 128 * 128);
    close(op.paddingWaste, 1 - 2e6 / (2 * 104 * 128 * 128));
  });

  it('a large matmul is MXU-bound', () => {
    const [op] = estimateTpuCost(matmul(4096, 4096, 4096)).ops;
    close(op.mxuTime, (2 * 4096 ** 3) / 275e12);
    close(op.memoryTime, (4096 * 4096 * (4 + 2 + 4)) / 1.2e12);
    expect(op.bound).toBe('mxu');
  });

  it('a 64-channel 3×3 conv fills half of the 128-wide array on both sides (75% waste)', () => {
    const b = new GraphBuilder('conv');
    const x = b.param('x', tensorType('f32', [1, 64, 28, 28]));
    const g = b.finish([b.op('conv2d', [x, b.weight('w', tensorType('f32', [64, 64, 3, 3]))], { pad: [1, 1] })]);
    const [op] = estimateTpuCost(g).ops;
    expect(op.mxuFlops).toBe(2 * 9 * 784 * 128 * 128);
    close(op.paddingWaste, 0.75);
  });

  it('fused elementwise ops move no HBM bytes and are vector-bound; unfused they are memory-bound', () => {
    const b = new GraphBuilder('ew');
    const x = b.param('x', tensorType('f32', ['B', 1024]));
    const g = b.finish([b.op('add', [x, x])]);
    const [fused] = estimateTpuCost(g, { dims: { B: 4 } }).ops;
    expect(fused.bytes).toBe(0);
    close(fused.vectorTime, 4096 / TPU_V4.vectorOpsPerSecond);
    expect(fused.bound).toBe('vector');
    const [alone] = estimateTpuCost(g, { dims: { B: 4 }, assumeFusion: false }).ops;
    expect(alone.bytes).toBe(3 * 4096 * 4);
    expect(alone.bound).toBe('memory');
  });

  it('sums the setup once and the loop body per step', () => {
    const b = new GraphBuilder('loop');
    const x = b.param('x', tensorType('f32', [8, 128]));
    const [y] = b.loop(4, [b.op('neg', [x])], [], (bb, { carried }) => [
      bb.op('matmul', [carried[0], bb.weight('w', tensorType('f32', [128, 128]))]),
    ]);
    const c = estimateTpuCost(b.finish([y]));
    const [neg, mm] = c.ops;
    expect([neg.inLoop, mm.inLoop, mm.repeats]).toEqual([false, true, 4]);
    close(c.setupTime, neg.time);
    close(c.stepTime, mm.time);
    close(c.totalTime, neg.time + 4 * mm.time);
    expect(c.steps).toBe(4);
    expect(tpuCostReport(b.finish([y]))).toMatch(/per step .* × 4/);
  });

  it('needs bound dims', () => {
    const b = new GraphBuilder('sym');
    const x = b.param('x', tensorType('f32', ['B', 4]));
    expect(() => estimateTpuCost(b.finish([b.op('neg', [x])]))).toThrow(/HLO0001/);
  });
});
