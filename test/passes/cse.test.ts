// cse: equal nodes and equal loop bodies merge, captured constants move into loop bodies, and
// nothing with different bits merges.
import { describe, expect, it } from 'vitest';
import type { Attrs, Graph, Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { tensorType, type Type } from '../../compiler/core/ir/types.ts';
import { cse } from '../../compiler/passes/cse.ts';
import { expectGolden, expectSameNumerics, expectUnchanged, parseIR, runPass } from './helpers.ts';

let nextId = 2_000_000;
/** A node made without the builder, so equal nodes can exist as distinct objects. */
function raw(op: string, inputs: Node[], attrs: Attrs, type: Type): Node {
  return Object.freeze({ id: nextId++, op, inputs, attrs, type, regions: [] });
}

describe('cse', () => {
  it('merges structurally equal nodes that were built as distinct objects', () => {
    const t = tensorType('f32', [2]);
    const x = raw('param', [], { name: 'x', dtype: 'f32', shape: [2] }, t);
    const c1 = raw('constant', [], { data: Float32Array.of(1, 2), dtype: 'f32', shape: [2] }, t);
    const c2 = raw('constant', [], { data: Float32Array.of(1, 2), dtype: 'f32', shape: [2] }, t);
    const a1 = raw('add', [x, c1], {}, t);
    const a2 = raw('add', [x, c2], {}, t);
    const g: Graph = { name: 'g', params: [x], outputs: [raw('mul', [a1, a2], {}, t)] };
    const { graph, run } = runPass(cse, g);
    expect(printGraph(graph)).toBe(
      printGraph(
        parseIR(`
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[1, 2]>} : f32[2]
  %1 = add(%x, %0) : f32[2]
  %2 = mul(%1, %1) : f32[2]
  return %2
}`),
      ),
    );
    expect(run.stats).toEqual({ merged: 2, capturesInlined: 0 });
  });

  it('gives loops with identical bodies and inputs one node', () => {
    const body = `
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = exp(%carried0) : f32[2]
      yield %1
    }`;
    expectGolden(cse, {
      input: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=3, carried=1} : (f32[2])${body}
  %2 = tuple_get(%0) {index=0} : f32[2]
  %3 = loop(%x) {count=3, carried=1} : (f32[2])${body}
  %5 = tuple_get(%3) {index=0} : f32[2]
  %6 = sub(%2, %5) : f32[2]
  return %6
}`,
      expected: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=3, carried=1} : (f32[2])${body}
  %2 = tuple_get(%0) {index=0} : f32[2]
  %3 = sub(%2, %2) : f32[2]
  return %3
}`,
    });
  });

  it('moves a captured constant into the body, where it merges with an equal one', () => {
    const { run } = expectGolden(cse, {
      input: `
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[0.5, 2]>} : f32[2]
  %1 = loop(%x, %0) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[2]) {
      %2 = constant {data=dense<[0.5, 2]>} : f32[2]
      %3 = mul(%carried0, %capture0) : f32[2]
      %4 = add(%3, %2) : f32[2]
      yield %4
    }
  %5 = tuple_get(%1) {index=0} : f32[2]
  %6 = add(%5, %0) : f32[2]
  return %6
}`,
      expected: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = constant {data=dense<[0.5, 2]>} : f32[2]
      %2 = mul(%carried0, %1) : f32[2]
      %3 = add(%2, %1) : f32[2]
      yield %3
    }
  %4 = tuple_get(%0) {index=0} : f32[2]
  %5 = constant {data=dense<[0.5, 2]>} : f32[2]
  %6 = add(%4, %5) : f32[2]
  return %6
}`,
    });
    expect(run.stats.capturesInlined).toBe(1);
  });

  it('moves constants through nested loops', () => {
    expectGolden(cse, {
      input: `
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[3]>} : f32[]
  %1 = loop(%x, %0) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[]) {
      %2 = loop(%carried0, %capture0) {count=2, carried=1} : (f32[2])
        body(%iter: i32[], %carried0: f32[2], %capture0: f32[]) {
          %3 = mul(%carried0, %capture0) : f32[2]
          yield %3
        }
      %4 = tuple_get(%2) {index=0} : f32[2]
      yield %4
    }
  %5 = tuple_get(%1) {index=0} : f32[2]
  return %5
}`,
      expected: `
graph @g(%x: f32[2]) {
  %0 = loop(%x) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = loop(%carried0) {count=2, carried=1} : (f32[2])
        body(%iter: i32[], %carried0: f32[2]) {
          %2 = constant {data=dense<[3]>} : f32[]
          %3 = mul(%carried0, %2) : f32[2]
          yield %3
        }
      %4 = tuple_get(%1) {index=0} : f32[2]
      yield %4
    }
  %5 = tuple_get(%0) {index=0} : f32[2]
  return %5
}`,
    });
  });

  it('keeps constants with different bits apart and a yielded capture as a capture', () => {
    expectUnchanged(
      cse,
      `
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[0]>} : f32[]
  %1 = constant {data=dense<[-0]>} : f32[]
  %2 = add(%x, %0) : f32[2]
  %3 = add(%x, %1) : f32[2]
  %4 = constant {data=dense<[1, 1]>} : f32[2]
  %5 = loop(%2, %4) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[2]) {
      yield %capture0
    }
  %6 = tuple_get(%5) {index=0} : f32[2]
  %7 = mul(%6, %3) : f32[2]
  return %7
}`,
    );
  });

  it('keeps numerics exactly', async () => {
    const { maxAbsDiff } = await expectSameNumerics(
      cse,
      `
graph @g(%x: f32[B,2]) {
  %0 = constant {data=dense<[0.5, 2, 0.25]>} : f32[3]
  %1 = loop(%x, %0) {count=3, carried=1} : (f32[B,2])
    body(%iter: i32[], %carried0: f32[B,2], %capture0: f32[3]) {
      %2 = gather(%capture0, %iter) {axis=0} : f32[]
      %3 = mul(%carried0, %2) : f32[B,2]
      %4 = tanh(%3) : f32[B,2]
      yield %4
    }
  %5 = tuple_get(%1) {index=0} : f32[B,2]
  return %5
}`,
      { dims: { B: 2 }, atol: 0 },
    );
    expect(maxAbsDiff).toBe(0);
  });
});
