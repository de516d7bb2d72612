// Data parallelism in the emitted module (options.dataParallel): Shardy annotations that split the named
// batch inputs over a 1-D mesh and replicate everything else, and the errors a bad split raises. That XLA
// partitions such a module and all-reduces the gradient is checked on real XLA in xla-train.test.ts.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { emitStableHLO } from '../../targets/stablehlo/emit.ts';

/** (x: f32[B, 3], scale: f32[]) with weight w: f32[3, 2] → (mean((x·w)²), scale·w). */
function lossAndScaled(): Graph {
  const b = new GraphBuilder('dp');
  const x = b.param('x', tensorType('f32', ['B', 3]));
  const scale = b.param('scale', tensorType('f32', []));
  const w = b.weight('w', tensorType('f32', [3, 2]));
  const loss = b.op('mean', [b.op('square', [b.op('matmul', [x, w])])], { axes: [0, 1] });
  return b.finish([loss, b.op('mul', [w, scale])]);
}

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenocError) return e.diagnostics[0].code;
    throw e;
  }
  return undefined;
};

describe('StableHLO data parallelism', () => {
  const text = emitStableHLO(lossAndScaled(), { dims: { B: 8 }, dataParallel: { devices: 4, batchInputs: ['x'] } }).text;
  const main = text.split('\n').find((l) => l.includes('func.func public @main'))!;

  it('declares a mesh of 4 devices and 4 partitions', () => {
    expect(text).toContain('mhlo.num_partitions = 4 : i32');
    expect(text).toContain('sdy.mesh @mesh = <["data"=4]>');
  });

  it('splits the batch input along its first axis and replicates the other input and the weight', () => {
    expect(main).toContain('%arg0: tensor<8x3xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"data"}, {}]>}');
    expect(main).toContain('%arg1: tensor<f32> {sdy.sharding = #sdy.sharding<@mesh, []>}');
    expect(main).toContain('%arg2: tensor<3x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>}');
  });

  it('replicates every result', () => {
    expect(main).toContain(
      '-> (tensor<f32> {sdy.sharding = #sdy.sharding<@mesh, []>}, tensor<3x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {}]>})',
    );
  });

  it('emits the same module as without the option for one device', () => {
    const plain = emitStableHLO(lossAndScaled(), { dims: { B: 8 } }).text;
    expect(emitStableHLO(lossAndScaled(), { dims: { B: 8 }, dataParallel: { devices: 1, batchInputs: ['x'] } }).text).toBe(plain);
    expect(plain).not.toContain('sdy');
  });

  it('rejects a batch input the graph does not have (HLO0004)', () => {
    expect(codeOf(() => emitStableHLO(lossAndScaled(), { dims: { B: 8 }, dataParallel: { devices: 4, batchInputs: ['labels'] } }))).toBe('HLO0004');
  });

  it('rejects a batch the device count does not divide (HLO0004)', () => {
    expect(codeOf(() => emitStableHLO(lossAndScaled(), { dims: { B: 6 }, dataParallel: { devices: 4, batchInputs: ['x'] } }))).toBe('HLO0004');
  });

  it('rejects a device count that is not a positive integer (HLO0002)', () => {
    expect(codeOf(() => emitStableHLO(lossAndScaled(), { dims: { B: 8 }, dataParallel: { devices: 0, batchInputs: ['x'] } }))).toBe('HLO0002');
  });
});
