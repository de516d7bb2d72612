// The fuse pass: golden IR for each fusion pattern, a reason for each refusal, and structural
// equivalence (inlining the kernels back gives the same numbers on the reference executor).
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { topoOrder } from '../../compiler/core/ir/node.ts';
import { canFuse, explainFusion, fuse, fuseGraph, fusionRefusals, inlineKernels, kernelName } from '../../targets/webgpu/passes/fuse.ts';
import { expectGolden, expectUnchanged, parseIR, randomData } from './helpers.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';

const CONV_ADD_SILU = `graph @g(%x: f32[2,4,8,8], %w: f32[4,4,3,3], %b: f32[4]) {
  %0 = conv2d(%x, %w) {pad=[1, 1]} : f32[2,4,8,8]
  %1 = reshape(%b) {shape=[1, 4, 1, 1]} : f32[1,4,1,1]
  %2 = add(%0, %1) : f32[2,4,8,8]
  %3 = silu(%2) : f32[2,4,8,8]
  return %3
}`;

describe('fuse', () => {
  it('fuses a bias add and silu into conv2d, pulling the bias reshape in as a side input', () => {
    expectGolden(fuse, {
      input: CONV_ADD_SILU,
      expected: `graph @g(%x: f32[2,4,8,8], %w: f32[4,4,3,3], %b: f32[4]) {
  %0 = kernel(%x, %w, %b) {name="fused_conv2d_reshape_add_silu", dtype="f32", shape=[2, 4, 8, 8]} : f32[2,4,8,8]
    body(%in0: f32[2,4,8,8], %in1: f32[4,4,3,3], %in2: f32[4]) {
      %1 = conv2d(%in0, %in1) {pad=[1, 1]} : f32[2,4,8,8]
      %2 = reshape(%in2) {shape=[1, 4, 1, 1]} : f32[1,4,1,1]
      %3 = add(%1, %2) : f32[2,4,8,8]
      %4 = silu(%3) : f32[2,4,8,8]
      yield %4
    }
  return %0
}`,
    });
  });

  it('fuses a normalization with its activation, and an elementwise chain with an inlined scalar', () => {
    expectGolden(fuse, {
      input: `graph @g(%x: f32[2,8,4,4], %g: f32[8], %b: f32[8], %y: f32[4]) {
  %0 = group_norm(%x, %g, %b) {groups=4} : f32[2,8,4,4]
  %1 = silu(%0) : f32[2,8,4,4]
  %2 = constant {data=dense<[2]>} : f32[]
  %3 = mul(%y, %2) : f32[4]
  %4 = exp(%3) : f32[4]
  %5 = add(%1, %4) : f32[2,8,4,4]
  return %5
}`,
      expected: `graph @g(%x: f32[2,8,4,4], %g: f32[8], %b: f32[8], %y: f32[4]) {
  %0 = kernel(%x, %g, %b, %y) {name="fused_group_norm_silu_mul_exp_add", dtype="f32", shape=[2, 8, 4, 4]} : f32[2,8,4,4]
    body(%in0: f32[2,8,4,4], %in1: f32[8], %in2: f32[8], %in3: f32[4]) {
      %1 = group_norm(%in0, %in1, %in2) {groups=4} : f32[2,8,4,4]
      %2 = silu(%1) : f32[2,8,4,4]
      %3 = constant {data=dense<[2]>} : f32[]
      %4 = mul(%in3, %3) : f32[4]
      %5 = exp(%4) : f32[4]
      %6 = add(%2, %5) : f32[2,8,4,4]
      yield %6
    }
  return %0
}`,
    });
  });

  it('fuses head-splitting transposes into attention but keeps activations out of matmul operands', () => {
    const g = parseIR(`graph @g(%q: f32[2,5,4,8], %k: f32[2,5,4,8], %v: f32[2,5,4,8], %w: f32[8,8]) {
  %0 = transpose(%q) {perm=[0, 2, 1, 3]} : f32[2,4,5,8]
  %1 = transpose(%k) {perm=[0, 2, 1, 3]} : f32[2,4,5,8]
  %2 = transpose(%v) {perm=[0, 2, 1, 3]} : f32[2,4,5,8]
  %3 = attention(%0, %1, %2) : f32[2,4,5,8]
  %4 = silu(%3) : f32[2,4,5,8]
  %5 = gelu(%4) : f32[2,4,5,8]
  %6 = matmul(%5, %w) : f32[2,4,5,8]
  return %6
}`);
    const { graph } = fuseGraph(g);
    expect(
      topoOrder(graph)
        .filter((n) => n.op === 'kernel')
        .map((n) => n.attrs.name),
    ).toEqual(['fused_transpose_transpose_transpose_attention_silu_gelu', 'matmul']);
  });

  it('keeps a producer used by two kernels separate and says why', () => {
    const g = parseIR(`graph @g(%a: f32[4,4], %w: f32[4,4]) {
  %0 = exp(%a) : f32[4,4]
  %1 = matmul(%0, %w) : f32[4,4]
  %2 = sum(%0) {axes=[1]} : f32[4]
  return %1, %2
}`);
    const why = fusionRefusals(g);
    expect(why.some((l) => /exp → .*users in 2 different kernels/.test(l))).toBe(true);
    expect(fuseGraph(g).kernels).toBe(3);
  });

  it('explains why a reduction is not fused into a matmul and why outputs stay in memory', () => {
    const g = parseIR(`graph @g(%a: f32[4,6], %w: f32[6,3]) {
  %0 = matmul(%a, %w) : f32[4,3]
  %1 = sum(%0) {axes=[1]} : f32[4]
  %2 = neg(%a) : f32[4,6]
  %3 = abs(%2) : f32[4,6]
  return %1, %2, %3
}`);
    const why = explainFusion(g);
    expect(why).toMatch(/^4 ops in 4 kernels; 2 fusions refused:/);
    expect(why).toMatch(/matmul → sum .*matmul \(out-fusable\) and sum \(reduction\) are both heavy ops; a kernel holds one/);
    expect(why).toMatch(/neg → abs .*graph output/);
  });

  it('refuses to grow a kernel past its storage-binding budget', () => {
    const g = parseIR(`graph @g(%a: f32[4], %b: f32[4], %c: f32[4]) {
  %0 = add(%a, %b) : f32[4]
  %1 = mul(%0, %c) : f32[4]
  return %1
}`);
    expect(explainFusion(g, { maxInputs: 2 })).toMatch(/would read 3 tensors \(limit 2 storage inputs\)/);
    expect(fuseGraph(g, { enabled: true, maxOpsPerKernel: 64, maxInputs: 2, inlineConstants: 16 }).kernels).toBe(2);
  });

  it('fuses loop bodies and keeps loop yields materialized', () => {
    const g = parseIR(`graph @g(%x: f32[3]) {
  %0 = loop(%x) {count=2, carried=1} : (f32[3])
    body(%iter: i32[], %carried0: f32[3]) {
      %1 = sin(%carried0) : f32[3]
      %2 = mul(%1, %carried0) : f32[3]
      yield %2
    }
  %3 = tuple_get(%0) {index=0} : f32[3]
  return %3
}`);
    const { graph, kernels } = fuseGraph(g);
    expect(kernels).toBe(1);
    const body = topoOrder(graph).find((n) => n.op === 'loop')!.regions[0];
    expect(body.outputs[0].op).toBe('kernel');
    expect(body.outputs[0].attrs.name).toBe('fused_sin_mul');
  });

  it('makes every op its own kernel when disabled, and changes nothing in a graph of leaves', () => {
    const { kernels } = fuseGraph(parseIR(CONV_ADD_SILU), { enabled: false, maxOpsPerKernel: 64, maxInputs: 7, inlineConstants: 16 });
    expect(kernels).toBe(4);
    expectUnchanged(
      fuse,
      `graph @g(%x: f32[2]) {
  return %x
}`,
    );
  });

  it('decides pairwise with canFuse', () => {
    const g = parseIR(CONV_ADD_SILU);
    const [conv, , add, silu] = topoOrder(g).filter((n) => n.op !== 'param');
    expect(canFuse(conv, add)).toEqual({ ok: true });
    expect(canFuse(add, silu)).toEqual({ ok: true });
    const d = canFuse(silu, conv);
    expect(d.ok).toBe(false);
    expect(kernelName(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])).toBe('fused_a_b_c_d_e_f_and_2_more');
    expect(kernelName(['matmul'])).toBe('matmul');
  });

  it('inlining the kernels back computes the same values on the reference executor', async () => {
    const g = parseIR(CONV_ADD_SILU);
    const back = inlineKernels(fuseGraph(g).graph);
    const inputs = Object.fromEntries(g.params.map((p) => [p.attrs.name as string, randomData(tensorOf(p), {}, String(p.attrs.name))]));
    const [a] = await runGraph(g, { inputs });
    const [b] = await runGraph(back, { inputs });
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
  });
});
