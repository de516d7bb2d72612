// The IR text form: print → parse → print is the identity, parsed nodes carry the printed values,
// and bad text fails with a coded error at the right line:col.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import { parseGraph } from '../../compiler/core/ir/ir-parser.ts';
import { topoOrder, type Graph } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { runPipeline } from '../../compiler/passes/runner.ts';
import { resolvePipeline } from '../../compiler/pipelines.ts';

const span = (line: number, col: number) => ({ file: 'm.dn', line, col });

/** A graph exercising every attribute kind, tuple types, symbolic dims, nested loops and spans. */
function kitchenSink(): Graph {
  const b = new GraphBuilder('sink');
  const x = b.param('x', tensorType('f32', ['B', 4]), span(1, 1));
  const seed = b.param('seed', tensorType('i32', []));
  const y = b.param('y', tensorType('i32', ['B']));
  const special = b.constant(Float32Array.of(NaN, Infinity, -Infinity, -0, 0.1, 1e-30, 3.4e38), [7], span(2, 3));
  const ints = b.constant(Int32Array.of(-2147483648, 0, 7), [3]);
  const noise = b.op('randn', [seed], { shape: ['B', 4], stream: 3 }, span(3, 5));
  const gelu = b.op('gelu', [x], { approximate: 'none' });
  const sl = b.op('slice', [gelu], { begin: [0, 1], end: [2147483647, 4], step: [1, 2] });
  const red = b.op('sum', [noise], { axes: [-1], keepdims: true });
  const w = b.weight('down.0.res.conv1.weight', tensorType('f32', [4, 4]), span(4, 1));
  const [h, k] = b.loop(
    3,
    [x, red],
    [w, special, y],
    (bb, { iter, carried, captures }) => {
      const c = bb.op('gather', [captures[1], iter], { axis: 0 });
      const m = bb.op('matmul', [carried[0], captures[0]], { transposeB: true }, span(9, 2));
      const [inner] = bb.loop(2, [m], [c], (ib, a) => [ib.op('mul', [a.carried[0], a.captures[0]])]);
      return [inner, bb.op('add', [carried[1], c])];
    },
    span(8, 1),
  );
  const cast = b.op('cast', [y], { dtype: 'f32' });
  return b.finish([h, k, sl, ints, cast]);
}

describe('ir-parser round trip', () => {
  it('prints, parses and prints a graph with every attribute kind identically', () => {
    const text = printGraph(kitchenSink());
    expect(printGraph(parseGraph(text))).toBe(text);
  });

  it('keeps loc(file:line:col) spans through the round trip', () => {
    const text = printGraph(kitchenSink(), { spans: true });
    expect(text).toContain('loc(m.dn:9:2)');
    expect(printGraph(parseGraph(text), { spans: true })).toBe(text);
  });

  it('reads constants into typed arrays by the node dtype, bit-exactly', () => {
    const g = parseGraph(printGraph(kitchenSink()));
    const consts = topoOrder(g).filter((n) => n.op === 'constant');
    const f = consts.find((n) => n.type.kind === 'tensor' && n.type.dtype === 'f32')!.attrs.data as Float32Array;
    const i = consts.find((n) => n.type.kind === 'tensor' && n.type.dtype === 'i32')!.attrs.data as Int32Array;
    expect(f).toBeInstanceOf(Float32Array);
    expect(i).toBeInstanceOf(Int32Array);
    const expectedF = Float32Array.of(NaN, Infinity, -Infinity, -0, 0.1, 1e-30, 3.4e38);
    expect(Array.from(f).every((v, k) => Object.is(v, expectedF[k]))).toBe(true);
    expect(Array.from(i)).toEqual([-2147483648, 0, 7]);
  });

  it('turns loc(...) into the node span and attributes into their schema kinds', () => {
    const g = parseGraph(
      ['graph @g(%x: f32[B,2]) {', '  %0 = sum(%x) {axes=[1], keepdims=false} : f32[B] loc(dir/a b.dn:12:7)', '  return %0', '}'].join('\n'),
    );
    const s = g.outputs[0];
    expect(s.span).toEqual({ file: 'dir/a b.dn', line: 12, col: 7 });
    expect(s.attrs).toEqual({ axes: [1], keepdims: false });
  });

  it('accepts comments and free layout', () => {
    const g = parseGraph('// a comment\ngraph @g(%x: f32[2]) { %0 = neg(%x) : f32[2] // trailing\n return %0 }');
    expect(printGraph(g)).toBe('graph @g(%x: f32[2]) {\n  %0 = neg(%x) : f32[2]\n  return %0\n}\n');
  });

  const examples = path.resolve('examples');
  it('round-trips every graph the DSL examples produce, before and after the default pipeline', async () => {
    const { compileFile } = await import('../../dsl/index.ts');
    const files = readdirSync(examples).filter((f) => f.endsWith('.dn'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const program = compileFile(path.join(examples, f));
      for (const { graph: source } of [...program.models, ...program.samplers]) {
        const optimized = runPipeline(source, resolvePipeline('default')).graph;
        for (const [graph, spans] of [
          [source, false],
          [source, true],
          [optimized, true],
        ] as const) {
          const text = printGraph(graph, { spans });
          expect(printGraph(parseGraph(text), { spans }), `${f} @${graph.name}`).toBe(text);
        }
      }
    }
  });
});

/** The code and the "line:col" of the error `text` raises. */
function parseError(text: string): { code: string; where: string; message: string } {
  try {
    parseGraph(text);
  } catch (e) {
    expect(e).toBeInstanceOf(DenocError);
    const d = (e as DenocError).diagnostics[0];
    return { code: d.code, where: `${d.span?.line}:${d.span?.col}`, message: d.message };
  }
  throw new Error('expected a parse error');
}

describe('ir-parser errors', () => {
  const lines = (...l: string[]) => l.join('\n');

  it('reports an unknown op with a suggestion', () => {
    const e = parseError(lines('graph @g(%x: f32[2]) {', '  %0 = sigmod(%x) : f32[2]', '  return %0', '}'));
    expect(e).toMatchObject({ code: 'IR0204', where: '2:8' });
    expect(e.message).toContain("did you mean 'sigmoid'");
  });

  it('reports an undefined value', () => {
    const e = parseError(lines('graph @g(%x: f32[2]) {', '  %0 = neg(%y) : f32[2]', '  return %0', '}'));
    expect(e).toMatchObject({ code: 'IR0202', where: '2:12' });
  });

  it('rejects a body that reads a value of the enclosing graph', () => {
    const e = parseError(
      lines(
        'graph @g(%x: f32[2]) {',
        '  %0 = loop(%x) {count=2, carried=1} : (f32[2])',
        '    body(%iter: i32[], %carried0: f32[2]) {',
        '      %1 = add(%carried0, %x) : f32[2]',
        '      yield %1',
        '    }',
        '  %2 = tuple_get(%0) {index=0} : f32[2]',
        '  return %2',
        '}',
      ),
    );
    expect(e).toMatchObject({ code: 'IR0202', where: '4:27' });
    expect(e.message).toContain('regions see only their own params');
  });

  it('rejects a loop body with the wrong signature', () => {
    const e = parseError(
      lines(
        'graph @g(%x: f32[2]) {',
        '  %0 = loop(%x) {count=2, carried=1} : (f32[2])',
        '    body(%iter: i32[], %carried0: f32[3]) {',
        '      yield %carried0',
        '    }',
        '  %2 = tuple_get(%0) {index=0} : f32[2]',
        '  return %2',
        '}',
      ),
    );
    expect(e).toMatchObject({ code: 'IR0206', where: '2:8' });
    expect(e.message).toContain('IR0106');
  });

  it('reports a duplicate name', () => {
    expect(parseError(lines('graph @g(%x: f32[2]) {', '  %x = neg(%x) : f32[2]', '  return %x', '}'))).toMatchObject({
      code: 'IR0203',
      where: '2:3',
    });
  });

  it('reports a printed type that the type rule contradicts', () => {
    const e = parseError(lines('graph @g(%x: f32[2]) {', '  %0 = sum(%x) {axes=[0], keepdims=false} : f32[2]', '  return %0', '}'));
    expect(e).toMatchObject({ code: 'IR0205', where: '2:45' });
    expect(e.message).toContain('f32[]');
  });

  it('reports builder rejections (bad attribute kind) at the op', () => {
    const e = parseError(lines('graph @g(%x: f32[2]) {', '  %0 = sum(%x) {axes="0"} : f32[]', '  return %0', '}'));
    expect(e).toMatchObject({ code: 'IR0206', where: '2:8' });
    expect(e.message).toContain('axes');
  });

  it('reports an attribute the op does not have', () => {
    expect(parseError(lines('graph @g(%x: f32[2]) {', '  %0 = neg(%x) {alpha=1} : f32[2]', '  return %0', '}'))).toMatchObject({
      code: 'IR0206',
      where: '2:17',
    });
  });

  it('reports syntax errors with what was expected', () => {
    const e = parseError(lines('graph @g(%x: f32[2]) {', '  %0 neg(%x) : f32[2]', '  return %0', '}'));
    expect(e).toMatchObject({ code: 'IR0201', where: '2:6' });
    expect(e.message).toContain("expected '='");
    expect(parseError('graph @g(%x: f32[2]) {\n  return %x\n')).toMatchObject({ code: 'IR0201', where: '3:1' });
    expect(parseError('graph @g(%x: q32[2]) {\n  return %x\n}')).toMatchObject({ code: 'IR0201', where: '1:14' });
    expect(parseError('graph @g(%x: f32[2]) {\n  %0 = neg(%x) : f32[2] ^\n return %0 }')).toMatchObject({ code: 'IR0201', where: '2:25' });
  });

  it('refuses elided constants, which printGraph marks as unparseable', () => {
    const b = new GraphBuilder('g');
    const text = printGraph(b.finish([b.constant(new Float32Array(10), [10])]), { elideConstantsOver: 4 });
    expect(parseError(text)).toMatchObject({ code: 'IR0201', where: '2:29' });
  });

  it('reports an unterminated string', () => {
    expect(parseError('graph @g() {\n  %0 = weight {path="a.b} : f32[2]\n  return %0\n}')).toMatchObject({ code: 'IR0201', where: '2:21' });
  });
});
