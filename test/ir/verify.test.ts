// The verifier on deliberately broken graphs, assembled by hand (bypassing the builder) from
// frozen literals: each check fires with its code, names the node and carries its span.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Attrs, Graph, Node } from '../../compiler/core/ir/node.ts';
import type { Span } from '../../compiler/core/ir/span.ts';
import { tensorType, tupleType, type TensorType, type Type } from '../../compiler/core/ir/types.ts';
import { graphDiagnostics, verifyGraph } from '../../compiler/core/ir/verify.ts';

let nextId = 1_000_000;
function raw(op: string, inputs: Node[], attrs: Attrs, type: Type, regions: Graph[] = [], span?: Span): Node {
  return Object.freeze({ id: nextId++, op, inputs: Object.freeze(inputs), attrs: Object.freeze(attrs), type, regions: Object.freeze(regions), span });
}
const graph = (name: string, params: Node[], outputs: Node[]): Graph => Object.freeze({ name, params, outputs });
const f32 = (...shape: (number | string)[]): TensorType => tensorType('f32', shape);
const param = (name: string, t: TensorType): Node => raw('param', [], { name, dtype: t.dtype, shape: t.shape }, t);
const at: Span = { file: 'model.dn', line: 7, col: 3 };

function codes(g: Graph): string[] {
  return graphDiagnostics(g).map((d) => d.code);
}

/** A well-formed loop over x: f32[2] with one capture c: f32[2], built by hand. */
function loopParts(opts: { bodyParams?: Node[]; yields?: (p: Node[]) => Node[]; extra?: (p: Node[]) => Node } = {}) {
  const x = param('x', f32(2));
  const c = param('c', f32(2));
  const params = opts.bodyParams ?? [param('iter', tensorType('i32', [])), param('carried0', f32(2)), param('capture0', f32(2))];
  const yields = opts.yields ? opts.yields(params) : [raw('add', [params[1], params[2]], {}, f32(2))];
  const body = graph('g.loop', params, yields);
  const loop = raw('loop', [x, c], { count: 3, carried: 1 }, tupleType([f32(2)]), [body], at);
  const get = raw('tuple_get', [loop], { index: 0 }, f32(2));
  return { x, c, params, loop, get, g: graph('g', [x, c], [get]) };
}

describe('verifyGraph', () => {
  it('accepts what the builder makes, loops included', () => {
    const b = new GraphBuilder('ok');
    const x = b.param('x', f32('B', 2));
    const w = b.weight('w', f32(2, 2));
    const [y] = b.loop(2, [x], [w], (bb, { carried, captures }) => [bb.op('matmul', [carried[0], captures[0]])]);
    expect(graphDiagnostics(b.finish([y]))).toEqual([]);
    expect(codes(loopParts().g)).toEqual([]);
  });

  it('IR0101: unknown op, naming the node and its span', () => {
    const x = param('x', f32(2));
    const bad = raw('frobnicate', [x], {}, f32(2), [], at);
    const [d] = graphDiagnostics(graph('g', [x], [bad]));
    expect(d.code).toBe('IR0101');
    expect(d.message).toContain(`@g: frobnicate#${bad.id}`);
    expect(d.span).toEqual(at);
  });

  it('IR0102: wrong number of inputs', () => {
    const x = param('x', f32(2));
    expect(codes(graph('g', [x], [raw('neg', [x, x], {}, f32(2))]))).toEqual(['IR0102']);
  });

  it('IR0103: a tuple where a tensor is needed', () => {
    const { g, loop } = loopParts();
    expect(codes(graph('g', g.params as Node[], [raw('neg', [loop], {}, f32(2))]))).toEqual(['IR0103']);
  });

  it('IR0104: attributes of the wrong kind, unknown, or without their defaults filled in', () => {
    const x = param('x', f32(2, 3));
    expect(codes(graph('g', [x], [raw('sum', [x], { axes: 'all', keepdims: false }, f32())]))).toEqual(['IR0104']);
    expect(codes(graph('g', [x], [raw('neg', [x], { alpha: 1 }, f32(2, 3))]))).toEqual(['IR0104']);
    const [d] = graphDiagnostics(graph('g', [x], [raw('sum', [x], { axes: [1] }, f32(2))]));
    expect(d.code).toBe('IR0104');
    expect(d.message).toContain("'keepdims' missing");
  });

  it('IR0105: a type that differs from the type rule, or inputs the rule rejects', () => {
    const x = param('x', f32(2));
    const y = param('y', f32(3));
    const [d] = graphDiagnostics(graph('g', [x], [raw('neg', [x], {}, f32(3))]));
    expect(d.code).toBe('IR0105');
    expect(d.message).toContain('type is f32[3] but the type rule gives f32[2]');
    expect(codes(graph('g', [x, y], [raw('add', [x, y], {}, f32(3))]))).toEqual(['IR0105']);
    expect(codes(graph('g', [x], [raw('neg', [x], {}, tensorType('f32', [-1]))]))).toEqual(['IR0105']);
  });

  it('IR0106: a loop body whose params are not (iter i32[], ...carried, ...captures)', () => {
    const wrongIter = [param('iter', f32()), param('carried0', f32(2)), param('capture0', f32(2))];
    expect(codes(loopParts({ bodyParams: wrongIter }).g)).toEqual(['IR0106']);
    const missingCapture = [param('iter', tensorType('i32', [])), param('carried0', f32(2))];
    expect(codes(loopParts({ bodyParams: missingCapture, yields: (p) => [p[1]] }).g)).toEqual(['IR0106']);
    const x = param('x', f32(2));
    const noBody = raw('loop', [x], { count: 1, carried: 1 }, tupleType([f32(2)]));
    expect(codes(graph('g', [x], [raw('tuple_get', [noBody], { index: 0 }, f32(2))]))).toEqual(['IR0106']);
  });

  it('IR0107: yields that do not match the carried values', () => {
    expect(codes(loopParts({ yields: (p) => [p[1], p[1]] }).g)).toEqual(['IR0107']);
    const [d] = graphDiagnostics(loopParts({ yields: (p) => [raw('sum', [p[1]], { axes: [0], keepdims: false }, f32())] }).g);
    expect(d.code).toBe('IR0107');
    expect(d.message).toContain('body yield 0 is f32[] but carried value 0 is f32[2]');
  });

  it('IR0108: a body that uses a node or param of the enclosing graph', () => {
    const outerNode = raw('neg', [param('z', f32(2))], {}, f32(2));
    const viaNode = loopParts({ yields: (p) => [raw('add', [p[1], outerNode], {}, f32(2))] });
    const g1 = graph('g', [...viaNode.g.params, outerNode.inputs[0]], [viaNode.get, outerNode]);
    const diags = graphDiagnostics(g1);
    expect(diags.map((d) => d.code)).toEqual(['IR0108']);
    expect(diags[0].message).toContain(`@g > loop#${viaNode.loop.id} body: add#`);
    const z = param('z', f32(2));
    const viaParam = loopParts({ yields: (p) => [raw('add', [p[1], z], {}, f32(2))] });
    expect(codes(graph('g', [...viaParam.g.params, z], [viaParam.get, z]))).toEqual(['IR0108']);
  });

  it('lets a body share weight and constant leaves with its enclosing graph', () => {
    const w = raw('weight', [], { path: 'w', dtype: 'f32', shape: [2] }, f32(2));
    const parts = loopParts({ yields: (p) => [raw('mul', [p[1], w], {}, f32(2))] });
    expect(codes(graph('g', parts.g.params as Node[], [parts.get, w]))).toEqual([]);
  });

  it('IR0109: missing or tuple-typed outputs', () => {
    const x = param('x', f32(2));
    expect(codes(graph('g', [x], []))).toEqual(['IR0109']);
    expect(codes(graph('g', [x], [undefined as unknown as Node]))).toEqual(['IR0109', 'IR0109']);
    const { g, loop } = loopParts();
    expect(codes(graph('g', g.params as Node[], [loop]))).toEqual(['IR0109']);
  });

  it('IR0110: params that are not param nodes, duplicate names, undeclared params', () => {
    const x = param('x', f32(2));
    const x2 = param('x', f32(2));
    expect(codes(graph('g', [x, x2], [raw('add', [x, x2], {}, f32(2))]))).toEqual(['IR0110']);
    const n = raw('neg', [x], {}, f32(2));
    expect(codes(graph('g', [x, n], [n]))).toEqual(['IR0110']);
    expect(codes(graph('g', [], [raw('neg', [x], {}, f32(2))]))).toEqual(['IR0110']);
  });

  it('throws one DenocError listing every problem', () => {
    const x = param('x', f32(2));
    const g = graph('g', [x], [raw('neg', [x, x], {}, f32(2)), raw('nope', [], {}, f32(2))]);
    expect(() => verifyGraph(g)).toThrow(DenocError);
    try {
      verifyGraph(g);
    } catch (e) {
      expect((e as DenocError).diagnostics.map((d) => d.code)).toEqual(['IR0102', 'IR0101']);
    }
  });
});
