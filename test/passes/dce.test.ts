// dce: unused loop-carried values and captures go; everything a read result depends on stays.
import { describe, expect, it } from 'vitest';
import { dce } from '../../compiler/passes/dce.ts';
import { expectGolden, expectSameNumerics, expectUnchanged } from './helpers.ts';

/** Three carried values: only #0 is read; #1 feeds only #2; #2 feeds only #1; capture1 feeds #2. */
const THREE_CARRIED = `
graph @g(%x: f32[B,2], %s: f32[]) {
  %0 = constant {data=dense<[2]>} : f32[]
  %1 = loop(%x, %s, %s, %0, %s) {count=3, carried=3} : (f32[B,2], f32[], f32[])
    body(%iter: i32[], %carried0: f32[B,2], %carried1: f32[], %carried2: f32[], %capture0: f32[], %capture1: f32[]) {
      %2 = mul(%carried0, %capture0) : f32[B,2]
      %3 = add(%carried2, %capture1) : f32[]
      yield %2, %carried2, %3
    }
  %4 = tuple_get(%1) {index=0} : f32[B,2]
  return %4
}`;

describe('dce', () => {
  it('drops carried values and captures that no read result needs', () => {
    const { run } = expectGolden(dce, {
      input: THREE_CARRIED,
      expected: `
graph @g(%x: f32[B,2], %s: f32[]) {
  %0 = constant {data=dense<[2]>} : f32[]
  %1 = loop(%x, %0) {count=3, carried=1} : (f32[B,2])
    body(%iter: i32[], %carried0: f32[B,2], %capture0: f32[]) {
      %2 = mul(%carried0, %capture0) : f32[B,2]
      yield %2
    }
  %3 = tuple_get(%1) {index=0} : f32[B,2]
  return %3
}`,
    });
    expect(run.stats).toEqual({ carriedRemoved: 2, capturesRemoved: 1 });
  });

  it('keeps a carried value that a needed yield reads, and renumbers tuple_get', () => {
    expectGolden(dce, {
      input: `
graph @g(%a: f32[2], %b: f32[2], %c: f32[2]) {
  %0 = loop(%a, %b, %c) {count=2, carried=3} : (f32[2], f32[2], f32[2])
    body(%iter: i32[], %carried0: f32[2], %carried1: f32[2], %carried2: f32[2]) {
      %1 = neg(%carried0) : f32[2]
      %2 = add(%carried2, %carried2) : f32[2]
      yield %1, %2, %carried2
    }
  %3 = tuple_get(%0) {index=1} : f32[2]
  return %3
}`,
      expected: `
graph @g(%a: f32[2], %b: f32[2], %c: f32[2]) {
  %0 = loop(%b, %c) {count=2, carried=2} : (f32[2], f32[2])
    body(%iter: i32[], %carried0: f32[2], %carried1: f32[2]) {
      %1 = add(%carried1, %carried1) : f32[2]
      yield %1, %carried1
    }
  %2 = tuple_get(%0) {index=0} : f32[2]
  return %2
}`,
    });
  });

  it('prunes loops nested in a body', () => {
    expectGolden(dce, {
      input: `
graph @g(%a: f32[2], %b: f32[2]) {
  %0 = loop(%a, %b) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2], %capture0: f32[2]) {
      %1 = loop(%carried0, %capture0) {count=3, carried=2} : (f32[2], f32[2])
        body(%iter: i32[], %carried0: f32[2], %carried1: f32[2]) {
          %2 = exp(%carried1) : f32[2]
          %3 = sin(%carried0) : f32[2]
          yield %3, %2
        }
      %4 = tuple_get(%1) {index=0} : f32[2]
      yield %4
    }
  %5 = tuple_get(%0) {index=0} : f32[2]
  return %5
}`,
      expected: `
graph @g(%a: f32[2], %b: f32[2]) {
  %0 = loop(%a) {count=2, carried=1} : (f32[2])
    body(%iter: i32[], %carried0: f32[2]) {
      %1 = loop(%carried0) {count=3, carried=1} : (f32[2])
        body(%iter: i32[], %carried0: f32[2]) {
          %2 = sin(%carried0) : f32[2]
          yield %2
        }
      %3 = tuple_get(%1) {index=0} : f32[2]
      yield %3
    }
  %4 = tuple_get(%0) {index=0} : f32[2]
  return %4
}`,
    });
  });

  it('leaves a loop whose every carried value and capture is needed', () => {
    expectUnchanged(
      dce,
      `
graph @g(%x: f32[2], %w: f32[2]) {
  %0 = loop(%x, %x, %w) {count=4, carried=2} : (f32[2], f32[2])
    body(%iter: i32[], %carried0: f32[2], %carried1: f32[2], %capture0: f32[2]) {
      %1 = mul(%carried1, %capture0) : f32[2]
      yield %1, %carried0
    }
  %2 = tuple_get(%0) {index=0} : f32[2]
  return %2
}`,
    );
  });

  it('leaves graphs without loops alone', () => {
    expectUnchanged(dce, 'graph @g(%x: f32[2]) {\n  %0 = neg(%x) : f32[2]\n  return %0\n}');
  });

  it('keeps numerics exactly', async () => {
    const { maxAbsDiff } = await expectSameNumerics(dce, THREE_CARRIED, { dims: { B: 3 }, atol: 0 });
    expect(maxAbsDiff).toBe(0);
  });
});
