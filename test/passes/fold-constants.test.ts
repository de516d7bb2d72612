// fold-constants: constant subgraphs become constants, per-step values become tables read with
// gather(table, iter), exact identities fire and inexact ones do not. Expected tables are worked
// out by hand from values that f32 represents exactly.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { allNodesDeep } from '../../compiler/core/ir/node.ts';
import { foldConstants } from '../../compiler/passes/fold-constants.ts';
import { useBackend } from '../../compiler/semantics/backend.ts';
import { expectGolden, expectSameNumerics, expectUnchanged, runPass } from './helpers.ts';

/** A DDIM-like step: x ← x·a[i+1]/a[i] + sqrt(1 - a[i+1]²)·eps(x), coefficients from one table. */
const SAMPLER = `
graph @s(%seed: i32[]) {
  %0 = randn(%seed) {shape=["B", 2], dtype="f32", stream=0} : f32[B,2]
  %1 = constant {data=dense<[0.5, 0.625, 0.75, 0.875, 1]>} : f32[5]
  %2 = loop(%0, %1) {count=4, carried=1} : (f32[B,2])
    body(%iter: i32[], %carried0: f32[B,2], %capture0: f32[5]) {
      %3 = constant {data=dense<[1]>} : i32[]
      %4 = add(%iter, %3) : i32[]
      %5 = gather(%capture0, %4) {axis=0} : f32[]
      %6 = gather(%capture0, %iter) {axis=0} : f32[]
      %7 = div(%5, %6) : f32[]
      %8 = mul(%carried0, %7) : f32[B,2]
      %9 = constant {data=dense<[1]>} : f32[]
      %10 = mul(%5, %5) : f32[]
      %11 = sub(%9, %10) : f32[]
      %12 = sqrt(%11) : f32[]
      %13 = tanh(%carried0) : f32[B,2]
      %14 = mul(%13, %12) : f32[B,2]
      %15 = add(%8, %14) : f32[B,2]
      yield %15
    }
  %16 = tuple_get(%2) {index=0} : f32[B,2]
  return %16
}`;

describe('fold-constants', () => {
  it('evaluates nodes whose inputs are constants', () => {
    const { run } = expectGolden(foldConstants, {
      input: `
graph @g(%x: f32[3]) {
  %0 = constant {data=dense<[1, 4, 9]>} : f32[3]
  %1 = sqrt(%0) : f32[3]
  %2 = constant {data=dense<[2]>} : f32[]
  %3 = mul(%1, %2) : f32[3]
  %4 = constant {data=dense<[2, 3]>} : i32[2]
  %5 = cast(%4) {dtype="f32"} : f32[2]
  %6 = sum(%5) {axes=[0], keepdims=false} : f32[]
  %7 = mul(%x, %3) : f32[3]
  %8 = add(%7, %6) : f32[3]
  return %8
}`,
      expected: `
graph @g(%x: f32[3]) {
  %0 = constant {data=dense<[2, 4, 6]>} : f32[3]
  %1 = mul(%x, %0) : f32[3]
  %2 = constant {data=dense<[5]>} : f32[]
  %3 = add(%1, %2) : f32[3]
  return %3
}`,
    });
    expect(run.stats).toMatchObject({ folded: 4, tabulated: 0 }); // sqrt, mul, cast, sum
  });

  it('tabulates loop-body values that depend only on iter and constants', () => {
    // a = [0.5, 0.625, 0.75, 0.875, 1]; i = 0..3:
    //   a[i+1]/a[i]        = 1.25, 1.2, 7/6, 8/7, each rounded once to f32
    //   sqrt(1 - a[i+1]^2) = sqrt(0.609375), sqrt(0.4375), sqrt(0.234375), 0 (the squares and
    //   differences are exact in f32; each root is rounded once)
    const r = (v: number) => Math.fround(Math.sqrt(Math.fround(v)));
    const ratio = [1.25, Math.fround(0.75 / 0.625), Math.fround(0.875 / 0.75), Math.fround(1 / 0.875)];
    const root = [r(1 - 0.625 ** 2), r(1 - 0.75 ** 2), r(1 - 0.875 ** 2), 0];
    const { run } = expectGolden(foldConstants, {
      input: SAMPLER,
      expected: `
graph @s(%seed: i32[]) {
  %0 = randn(%seed) {shape=["B", 2], dtype="f32", stream=0} : f32[B,2]
  %1 = constant {data=dense<[0.5, 0.625, 0.75, 0.875, 1]>} : f32[5]
  %2 = loop(%0, %1) {count=4, carried=1} : (f32[B,2])
    body(%iter: i32[], %carried0: f32[B,2], %capture0: f32[5]) {
      %3 = constant {data=dense<[${ratio.join(', ')}]>} : f32[4]
      %4 = gather(%3, %iter) {axis=0} : f32[]
      %5 = mul(%carried0, %4) : f32[B,2]
      %6 = tanh(%carried0) : f32[B,2]
      %7 = constant {data=dense<[${root.join(', ')}]>} : f32[4]
      %8 = gather(%7, %iter) {axis=0} : f32[]
      %9 = mul(%6, %8) : f32[B,2]
      %10 = add(%5, %9) : f32[B,2]
      yield %10
    }
  %11 = tuple_get(%2) {index=0} : f32[B,2]
  return %11
}`,
    });
    expect(run.stats).toMatchObject({ tabulated: 2, tableElements: 8 });
  });

  it('is idempotent: a folded sampler does not change again', () => {
    const once = runPass(foldConstants, SAMPLER).graph;
    expectUnchanged(foldConstants, once);
  });

  it('computes tables on the cpu backend whatever backend is active, and restores it', async () => {
    const onCpu = runPass(foldConstants, SAMPLER).graph;
    await useBackend('wasm');
    const onWasm = runPass(foldConstants, SAMPLER).graph;
    expect(tf.getBackend()).toBe('wasm');
    await useBackend('cpu');
    expect(printGraph(onWasm)).toBe(printGraph(onCpu));
  });

  it('keeps sampler numerics bit-exact on the reference executor', async () => {
    const { maxAbsDiff } = await expectSameNumerics(foldConstants, SAMPLER, { dims: { B: 3 }, atol: 0 });
    expect(maxAbsDiff).toBe(0);
  });

  it('never folds randn, even with a constant seed', () => {
    expectUnchanged(
      foldConstants,
      `
graph @g() {
  %0 = constant {data=dense<[7]>} : i32[]
  %1 = randn(%0) {shape=[2], dtype="f32", stream=0} : f32[2]
  return %1
}`,
    );
  });

  it('leaves loop bodies alone with tabulate=false, and never folds to a symbolic shape', () => {
    expectUnchanged(
      foldConstants,
      `
graph @g(%x: f32[B,2]) {
  %0 = constant {data=dense<[1, 2]>} : f32[2]
  %1 = broadcast_to(%0) {shape=["B", 2]} : f32[B,2]
  %2 = loop(%x) {count=3, carried=1} : (f32[B,2])
    body(%iter: i32[], %carried0: f32[B,2]) {
      %3 = cast(%iter) {dtype="f32"} : f32[]
      %4 = add(%carried0, %3) : f32[B,2]
      %5 = exp(%4) : f32[B,2]
      yield %5
    }
  %6 = tuple_get(%2) {index=0} : f32[B,2]
  %7 = add(%6, %1) : f32[B,2]
  return %7
}`,
      { options: { tabulate: false } },
    );
  });

  it('tabulates cast(iter) into a table of step numbers', () => {
    expectGolden(foldConstants, {
      input: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=3, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = cast(%iter) {dtype="f32"} : f32[]
      %2 = add(%carried0, %1) : f32[2]
      yield %2
    }
  %3 = tuple_get(%0) {index=0} : f32[2]
  return %3
}`,
      expected: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=3, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = constant {data=dense<[0, 1, 2]>} : f32[3]
      %2 = gather(%1, %iter) {axis=0} : f32[]
      %3 = add(%carried0, %2) : f32[2]
      yield %3
    }
  %4 = tuple_get(%0) {index=0} : f32[2]
  return %4
}`,
    });
  });

  it('leaves results larger than maxElements computed', () => {
    const text = `
graph @g(%x: f32[4,4]) {
  %0 = constant {data=dense<[1]>} : f32[]
  %1 = broadcast_to(%0) {shape=[4, 4]} : f32[4,4]
  %2 = add(%x, %1) : f32[4,4]
  return %2
}`;
    expectUnchanged(foldConstants, text, { options: { maxElements: 8 } });
    const folded = runPass(foldConstants, text).graph;
    expect(allNodesDeep(folded).some((n: Node) => n.op === 'broadcast_to')).toBe(false);
  });

  it('applies exact identities: x*1, 1*x, x/1, x+(-0), x-0, pow(x,1), no-op reshape/transpose/cast', () => {
    const { run } = expectGolden(foldConstants, {
      input: `
graph @g(%x: f32[2,3], %n: i32[2]) {
  %0 = constant {data=dense<[1]>} : f32[]
  %1 = mul(%x, %0) : f32[2,3]
  %2 = mul(%0, %1) : f32[2,3]
  %3 = div(%2, %0) : f32[2,3]
  %4 = constant {data=dense<[-0, -0, -0]>} : f32[3]
  %5 = add(%3, %4) : f32[2,3]
  %6 = constant {data=dense<[0]>} : f32[]
  %7 = sub(%5, %6) : f32[2,3]
  %8 = pow(%7, %0) : f32[2,3]
  %9 = reshape(%8) {shape=[2, 3]} : f32[2,3]
  %10 = transpose(%9) {perm=[0, 1]} : f32[2,3]
  %11 = cast(%10) {dtype="f32"} : f32[2,3]
  %12 = constant {data=dense<[0]>} : i32[]
  %13 = add(%n, %12) : i32[2]
  return %11, %13
}`,
      expected: `
graph @g(%x: f32[2,3], %n: i32[2]) {
  return %x, %n
}`,
    });
    expect(run.stats.identities).toBe(10);
  });

  it('does not apply x*0, x+(+0) for floats, or an identity that broadcasts x', () => {
    expectUnchanged(
      foldConstants,
      `
graph @g(%x: f32[3]) {
  %0 = constant {data=dense<[0]>} : f32[]
  %1 = mul(%x, %0) : f32[3]
  %2 = add(%1, %0) : f32[3]
  %3 = constant {data=dense<[1, 1, 1, 1, 1, 1]>} : f32[2,3]
  %4 = mul(%2, %3) : f32[2,3]
  return %4
}`,
    );
  });

  it('treats constants captured by a loop as constants inside it', () => {
    const { run } = runPass(
      foldConstants,
      `
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[4, 16, 64]>} : f32[3]
  %1 = loop(%x, %0) {count=3, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[3]) {
      %2 = gather(%capture0, %iter) {axis=0} : f32[]
      %3 = sqrt(%2) : f32[]
      %4 = mul(%carried0, %3) : f32[2]
      yield %4
    }
  %5 = tuple_get(%1) {index=0} : f32[2]
  return %5
}`,
    );
    expect(run.stats).toMatchObject({ tabulated: 1, tableElements: 3 });
  });
});
