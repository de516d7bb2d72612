// Smoke tests of the IR core: interning and printing of a loop region.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';

describe('ir core', () => {
  it('interns equal leaves to one node', () => {
    const b = new GraphBuilder('g');
    const w1 = b.weight('a.w', tensorType('f32', [2, 2]));
    const w2 = b.weight('a.w', tensorType('f32', [2, 2]));
    const w3 = b.weight('a.v', tensorType('f32', [2, 2]));
    expect(w1).toBe(w2);
    expect(w1).not.toBe(w3);
  });

  it('prints a loop with its body params', () => {
    const b = new GraphBuilder('main');
    const x = b.param('x', tensorType('f32', ['B', 2]));
    const [y] = b.loop(3, [x], [], (_, { carried }) => [carried[0]]);
    expect(printGraph(b.finish([y]))).toContain('body(%iter: i32[], %carried0: f32[B,2])');
  });
});
