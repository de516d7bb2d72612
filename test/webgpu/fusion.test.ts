// Fused kernels on WebGPU compute what the unfused graph computes on the reference executor:
// each pattern the fuse pass forms (epilogues, norm + activation, reduction prologues, attention
// with head transposes, long elementwise chains, a solver update fused into a loop body's matmul)
// runs fused with both kernel styles, and fusing must actually cut the dispatch count.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { parseGraph } from '../../compiler/core/ir/ir-parser.ts';
import { tensorOf, type Graph } from '../../compiler/core/ir/node.ts';
import { DEFAULT_CAPABILITIES } from '../../targets/webgpu/capabilities.ts';
import { runOnWebGPU } from '../../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../../targets/webgpu/compile.ts';
import { expectClose, rand, reference } from './compare.ts';
import { gpuForTests } from './gpu.ts';

const gpu = await gpuForTests();

const PATTERNS: Record<string, string> = {
  'conv2d + bias + residual + silu': `graph @g(%x: f32[2,6,9,9], %w: f32[8,6,3,3], %b: f32[8], %r: f32[2,8,9,9]) {
  %0 = conv2d(%x, %w, %b) {pad=[1, 1]} : f32[2,8,9,9]
  %1 = add(%0, %r) : f32[2,8,9,9]
  %2 = silu(%1) : f32[2,8,9,9]
  return %2
}`,
  'add prologue + group_norm + silu epilogue': `graph @g(%x: f32[2,8,5,5], %e: f32[2,8,1,1], %g: f32[8], %b: f32[8]) {
  %0 = add(%x, %e) : f32[2,8,5,5]
  %1 = group_norm(%0, %g, %b) {groups=4} : f32[2,8,5,5]
  %2 = silu(%1) : f32[2,8,5,5]
  return %2
}`,
  'rms-style reduction with prologue and epilogue': `graph @g(%x: f32[6,40]) {
  %0 = square(%x) : f32[6,40]
  %1 = mean(%0) {axes=[1]} : f32[6]
  %2 = constant {data=dense<[0.001]>} : f32[]
  %3 = add(%1, %2) : f32[6]
  %4 = rsqrt(%3) : f32[6]
  return %4
}`,
  'scaled softmax with an epilogue': `graph @g(%x: f32[3,4,33]) {
  %0 = constant {data=dense<[0.5]>} : f32[]
  %1 = mul(%x, %0) : f32[3,4,33]
  %2 = softmax(%1) {axis=-1} : f32[3,4,33]
  %3 = sqrt(%2) : f32[3,4,33]
  return %3
}`,
  'attention over head-split views, gelu epilogue': `graph @g(%q: f32[2,10,3,8], %k: f32[2,12,3,8], %v: f32[2,12,3,8]) {
  %0 = transpose(%q) {perm=[0, 2, 1, 3]} : f32[2,3,10,8]
  %1 = transpose(%k) {perm=[0, 2, 1, 3]} : f32[2,3,12,8]
  %2 = transpose(%v) {perm=[0, 2, 1, 3]} : f32[2,3,12,8]
  %3 = attention(%0, %1, %2) : f32[2,3,10,8]
  %4 = gelu(%3) : f32[2,3,10,8]
  return %4
}`,
  'elementwise chain through pad, slice, concat, gather, broadcast': `graph @g(%x: f32[4,6], %y: f32[6], %i: i32[3]) {
  %0 = pad(%x) {pads=[1, 1, 0, 0], value=0.25} : f32[6,6]
  %1 = slice(%0) {begin=[0, 1], end=[6, 6], step=[1, 2]} : f32[6,3]
  %2 = reshape(%y) {shape=[6, 1]} : f32[6,1]
  %3 = concat(%1, %2) {axis=1} : f32[6,4]
  %4 = gather(%3, %i) {axis=1} : f32[6,3]
  %5 = exp(%4) : f32[6,3]
  %6 = tanh(%5) : f32[6,3]
  return %6
}`,
  'solver update fused into the last matmul of a loop body': `graph @g(%x: f32[4,8], %w: f32[8,8]) {
  %0 = loop(%x, %w) {count=3, carried=1} : (f32[4,8])
    body(%iter: i32[], %carried0: f32[4,8], %capture0: f32[8,8]) {
      %1 = constant {data=dense<[0.9, 0.8, 0.7]>} : f32[3]
      %2 = gather(%1, %iter) {axis=0} : f32[]
      %3 = constant {data=dense<[0.1, 0.2, 0.3]>} : f32[3]
      %4 = gather(%3, %iter) {axis=0} : f32[]
      %5 = matmul(%carried0, %capture0) : f32[4,8]
      %6 = tanh(%5) : f32[4,8]
      %7 = mul(%6, %4) : f32[4,8]
      %8 = mul(%carried0, %2) : f32[4,8]
      %9 = sub(%8, %7) : f32[4,8]
      yield %9
    }
  %10 = tuple_get(%0) {index=0} : f32[4,8]
  return %10
}`,
};

function inputs(g: Graph): Record<string, Float32Array | Int32Array> {
  return Object.fromEntries(
    g.params.map((p, k) => {
      const t = tensorOf(p);
      const n = (t.shape as number[]).reduce((a, d) => a * d, 1);
      return [p.attrs.name as string, t.dtype === 'i32' ? Int32Array.from({ length: n }, (_, i) => (i * 2 + 1) % 4) : rand(n, 40 + k, -1.5, 1.5)];
    }),
  );
}

describe.skipIf(!gpu)('fused kernels on WebGPU vs the reference executor', () => {
  it.each(Object.entries(PATTERNS))('%s', async (_, text) => {
    const g = parseGraph(text, { file: 'pattern' });
    const data = inputs(g);
    const refInputs = Object.fromEntries(
      g.params.map((p) => [p.attrs.name as string, { data: data[p.attrs.name as string], shape: tensorOf(p).shape as number[] }]),
    );
    const [expected] = await reference(g, refInputs);
    const unfused = compileForWebGPU(g, { fuse: false });
    for (const software of [false, true]) {
      const plan = compileForWebGPU(g, { caps: { ...DEFAULT_CAPABILITIES, software } });
      expect(plan.stats.dispatches).toBeLessThan(unfused.stats.dispatches);
      const [actual] = await runOnWebGPU(plan, { inputs: data });
      expectClose(actual, expected, { rtol: 1e-4, atol: 1e-5 }, `${software ? 'CPU' : 'GPU'}-style`);
    }
  });
});
