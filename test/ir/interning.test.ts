// Interning: the builder returns the same object for structurally equal nodes and distinct objects
// whenever op, inputs, attributes or constant bits differ.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';

function setup() {
  const b = new GraphBuilder('g');
  return { b, x: b.param('x', tensorType('f32', ['B', 4])), y: b.param('y', tensorType('f32', ['B', 4])) };
}

describe('interning', () => {
  it('returns the same node for the same op, inputs and attributes', () => {
    const { b, x, y } = setup();
    expect(b.op('add', [x, y])).toBe(b.op('add', [x, y]));
    expect(b.op('sum', [x], { axes: [1], keepdims: true })).toBe(b.op('sum', [x], { keepdims: true, axes: [1] }));
  });

  it('fills attribute defaults first, so an omitted default equals the explicit one', () => {
    const { b, x } = setup();
    expect(b.op('sum', [x], { axes: [1] })).toBe(b.op('sum', [x], { axes: [1], keepdims: false }));
    expect(b.op('gelu', [x])).toBe(b.op('gelu', [x], { approximate: 'tanh' }));
  });

  it('keeps nodes apart when inputs, their order, the op or attributes differ', () => {
    const { b, x, y } = setup();
    expect(b.op('sub', [x, y])).not.toBe(b.op('sub', [y, x]));
    expect(b.op('add', [x, y])).not.toBe(b.op('mul', [x, y]));
    expect(b.op('sum', [x], { axes: [1] })).not.toBe(b.op('sum', [x], { axes: [0] }));
    expect(b.op('gelu', [x], { approximate: 'none' })).not.toBe(b.op('gelu', [x]));
  });

  it('interns equal chains transitively', () => {
    const { b, x, y } = setup();
    const chain = () => b.op('silu', [b.op('mul', [b.op('add', [x, y]), x])]);
    expect(chain()).toBe(chain());
  });

  it('compares constants by their bits: equal data merges; other values, -0 vs 0, or dtype do not', () => {
    const { b } = setup();
    expect(b.constant(Float32Array.of(1, 2), [2])).toBe(b.constant(Float32Array.of(1, 2), [2]));
    expect(b.constant(Float32Array.of(NaN), [1])).toBe(b.constant(Float32Array.of(NaN), [1]));
    expect(b.constant(Float32Array.of(1, 2), [2])).not.toBe(b.constant(Float32Array.of(1, 3), [2]));
    expect(b.constant(Float32Array.of(0), [1])).not.toBe(b.constant(Float32Array.of(-0), [1]));
    expect(b.constant(Float32Array.of(1, 2), [2])).not.toBe(b.constant(Int32Array.of(1, 2), [2]));
    expect(b.constant(Float32Array.of(1, 2), [2])).not.toBe(b.constant(Float32Array.of(1, 2), [2, 1]));
  });

  it('keeps weights with different paths or types apart', () => {
    const { b } = setup();
    expect(b.weight('a.w', tensorType('f32', [2]))).toBe(b.weight('a.w', tensorType('f32', [2])));
    expect(b.weight('a.w', tensorType('f32', [2]))).not.toBe(b.weight('a.v', tensorType('f32', [2])));
    expect(b.weight('a.w', tensorType('f32', [2]))).not.toBe(b.weight('a.w', tensorType('f32', [3])));
  });

  it('does not share nodes between builders', () => {
    const one = setup();
    const two = setup();
    expect(one.b.scalar(1)).not.toBe(two.b.scalar(1));
  });
});
