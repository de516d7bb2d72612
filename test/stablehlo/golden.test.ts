// Golden text of the StableHLO emitter for small graphs: the expected modules are written by hand
// from the StableHLO spec's pretty syntax, so a change in the emitted text must be deliberate.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { emitStableHLO } from '../../targets/stablehlo/emit.ts';
import { expectMatchesReference, normals } from './helpers.ts';

const HEADER = 'attributes {mhlo.num_partitions = 1 : i32, mhlo.num_replicas = 1 : i32} {';

function addMul(): Graph {
  const b = new GraphBuilder('addmul');
  const a = b.param('a', tensorType('f32', [2, 3]));
  const c = b.param('b', tensorType('f32', [2, 3]));
  return b.finish([b.op('mul', [b.op('add', [a, c]), c])]);
}

function linear(): Graph {
  const b = new GraphBuilder('linear');
  const x = b.param('x', tensorType('f32', ['B', 4]));
  const w = b.weight('lin.weight', tensorType('f32', [4, 3]));
  const bias = b.weight('lin.bias', tensorType('f32', [3]));
  return b.finish([b.op('add', [b.op('matmul', [x, w]), bias])]);
}

function loop2(): Graph {
  const b = new GraphBuilder('loop2');
  const x = b.param('x', tensorType('f32', [2]));
  const table = b.constant(Float32Array.of(0.5, 2), [2]);
  const [y] = b.loop(2, [x], [table], (bb, { iter, carried, captures }) => [bb.op('mul', [carried[0], bb.op('gather', [captures[0], iter])])]);
  return b.finish([y]);
}

describe('StableHLO golden text', () => {
  it('add then multiply', () => {
    expect(emitStableHLO(addMul()).text).toBe(`module @denoc_addmul ${HEADER}
  func.func public @main(%arg0: tensor<2x3xf32>, %arg1: tensor<2x3xf32>) -> (tensor<2x3xf32>) {
    %0 = stablehlo.add %arg0, %arg1 : tensor<2x3xf32>
    %1 = stablehlo.multiply %0, %arg1 : tensor<2x3xf32>
    return %1 : tensor<2x3xf32>
  }
}
`);
  });

  it('a linear layer: weights are arguments after the inputs, sorted by path; f32 asks for HIGHEST', () => {
    expect(emitStableHLO(linear(), { dims: { B: 2 } }).text).toBe(`module @denoc_linear ${HEADER}
  func.func public @main(%arg0: tensor<2x4xf32>, %arg1: tensor<3xf32>, %arg2: tensor<4x3xf32>) -> (tensor<2x3xf32>) {
    %0 = stablehlo.dot_general %arg0, %arg2, contracting_dims = [1] x [0], precision = [HIGHEST, HIGHEST] : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %1 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3xf32>) -> tensor<2x3xf32>
    %2 = stablehlo.add %0, %1 : tensor<2x3xf32>
    return %2 : tensor<2x3xf32>
  }
}
`);
  });

  it('bf16: the matmul-only weight is a bf16 argument, the activation converts, the result stays f32', () => {
    const { text, manifest } = emitStableHLO(linear(), { dims: { B: 2 }, precision: 'bf16' });
    expect(text).toBe(`module @denoc_linear ${HEADER}
  func.func public @main(%arg0: tensor<2x4xf32>, %arg1: tensor<3xf32>, %arg2: tensor<4x3xbf16>) -> (tensor<2x3xf32>) {
    %0 = stablehlo.convert %arg0 : (tensor<2x4xf32>) -> tensor<2x4xbf16>
    %1 = stablehlo.dot_general %0, %arg2, contracting_dims = [1] x [0], precision = [DEFAULT, DEFAULT] : (tensor<2x4xbf16>, tensor<4x3xbf16>) -> tensor<2x3xf32>
    %2 = stablehlo.broadcast_in_dim %arg1, dims = [1] : (tensor<3xf32>) -> tensor<2x3xf32>
    %3 = stablehlo.add %1, %2 : tensor<2x3xf32>
    return %3 : tensor<2x3xf32>
  }
}
`);
    expect(manifest.weights.map((w) => [w.name, w.dtype, w.arg])).toEqual([
      ['lin.bias', 'f32', 1],
      ['lin.weight', 'bf16', 2],
    ]);
  });

  it('a 2-step loop becomes stablehlo.while with the table as a constant read by dynamic_slice', () => {
    expect(emitStableHLO(loop2()).text).toBe(`module @denoc_loop2 ${HEADER}
  func.func public @main(%arg0: tensor<2xf32>) -> (tensor<2xf32>) {
    %0 = stablehlo.constant dense<0> : tensor<i32>
    %1:2 = stablehlo.while(%iterArg_0 = %0, %iterArg_1 = %arg0) : tensor<i32>, tensor<2xf32>
      cond {
        %2 = stablehlo.constant dense<2> : tensor<i32>
        %3 = stablehlo.compare LT, %iterArg_0, %2, SIGNED : (tensor<i32>, tensor<i32>) -> tensor<i1>
        stablehlo.return %3 : tensor<i1>
      } do {
        %4 = stablehlo.constant dense<[0.5, 2.0]> : tensor<2xf32>
        %5 = stablehlo.dynamic_slice %4, %iterArg_0, sizes = [1] : (tensor<2xf32>, tensor<i32>) -> tensor<1xf32>
        %6 = stablehlo.reshape %5 : (tensor<1xf32>) -> tensor<f32>
        %7 = stablehlo.broadcast_in_dim %6, dims = [] : (tensor<f32>) -> tensor<2xf32>
        %8 = stablehlo.multiply %iterArg_1, %7 : tensor<2xf32>
        %9 = stablehlo.constant dense<1> : tensor<i32>
        %10 = stablehlo.add %iterArg_0, %9 : tensor<i32>
        stablehlo.return %10, %8 : tensor<i32>, tensor<2xf32>
      }
    return %1#1 : tensor<2xf32>
  }
}
`);
  });

  it('the same loop unrolled: straight-line steps with static slices of one table constant', () => {
    expect(emitStableHLO(loop2(), { unroll: true }).text).toBe(`module @denoc_loop2 ${HEADER}
  func.func public @main(%arg0: tensor<2xf32>) -> (tensor<2xf32>) {
    // step 0
    %0 = stablehlo.constant dense<[0.5, 2.0]> : tensor<2xf32>
    %1 = stablehlo.slice %0 [0:1] : (tensor<2xf32>) -> tensor<1xf32>
    %2 = stablehlo.reshape %1 : (tensor<1xf32>) -> tensor<f32>
    %3 = stablehlo.broadcast_in_dim %2, dims = [] : (tensor<f32>) -> tensor<2xf32>
    %4 = stablehlo.multiply %arg0, %3 : tensor<2xf32>
    // step 1
    %5 = stablehlo.slice %0 [1:2] : (tensor<2xf32>) -> tensor<1xf32>
    %6 = stablehlo.reshape %5 : (tensor<1xf32>) -> tensor<f32>
    %7 = stablehlo.broadcast_in_dim %6, dims = [] : (tensor<f32>) -> tensor<2xf32>
    %8 = stablehlo.multiply %4, %7 : tensor<2xf32>
    return %8 : tensor<2xf32>
  }
}
`);
  });

  it('every golden module parses back and computes what the reference executor computes', async () => {
    await expectMatchesReference(addMul(), { a: normals(6, 1), b: normals(6, 2) });
    const weights = new Map([
      ['lin.weight', normals(12, 3)],
      ['lin.bias', normals(3, 4)],
    ]);
    await expectMatchesReference(linear(), { x: normals(8, 5) }, weights, { dims: { B: 2 } });
    await expectMatchesReference(linear(), { x: normals(8, 5) }, weights, { dims: { B: 2 }, precision: 'bf16', atol: 5e-2, rtol: 2e-2 });
    await expectMatchesReference(loop2(), { x: Float32Array.of(3, -1) });
    await expectMatchesReference(loop2(), { x: Float32Array.of(3, -1) }, new Map(), { unroll: true });
  });
});
