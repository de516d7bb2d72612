/**
 * Name resolution and imports: std and relative imports (in memory and on disk), what an import
 * brings into scope, shadowing, declaration order, scopes of comprehension variables, and
 * "did you mean" hints across imports.
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allNodesDeep } from '../../compiler/core/ir/node.ts';
import { compileFile } from '../../dsl/index.ts';
import { compile, errors } from './helpers.ts';

const lib = 'import "std/nn"\nblock Twice(n: int) {\n  fc = Linear(n, n)\n  fn (x: f32[B, n]) -> f32[B, n] { return fc(fc(x)) }\n}\n';

describe('imports', () => {
  it('brings the declarations of a relative import into scope', () => {
    const src = 'import "./lib.dn"\nmodel M {\n  t = Twice(3)\n  fn (x: f32[B, 3], s: f32[B]) -> f32[B, 3] { return t(x) }\n}\n';
    const p = compile(src, { 'lib.dn': lib });
    expect(p.models[0].parameters.map((q) => q.path)).toEqual(['t.fc.weight', 't.fc.bias']);
  });

  it('does not re-export what an imported file imports', () => {
    const src = 'import "./lib.dn"\nmodel M {\n  fc = Linear(3, 3)\n  fn (x: f32[B, 3], s: f32[B]) -> f32[B, 3] { return fc(x) }\n}\n';
    const [e] = errors(src, { 'lib.dn': lib });
    expect([e.code, e.message, e.span?.line]).toEqual(['DSL0101', "unknown name 'Linear'", 3]);
  });

  it('lets a local declaration shadow an imported one', () => {
    const src =
      'import "std/nn"\nblock MLP(dim: int) {\n  w = param([dim], init: ones)\n  fn (x: f32[B, dim]) -> f32[B, dim] { return x * w }\n}\n' +
      'model M {\n  m = MLP(3)\n  fn (x: f32[B, 3], s: f32[B]) -> f32[B, 3] { return m(x) }\n}\n';
    expect(compile(src).models[0].parameters.map((q) => q.path)).toEqual(['m.w']);
  });

  it('resolves relative imports against the importing file on disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-dsl-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'base.dn'), lib);
    writeFileSync(
      join(dir, 'sub', 'wrap.dn'),
      'import "../base.dn"\nblock Wrap {\n  t = Twice(2)\n  fn (x: f32[B, 2]) -> f32[B, 2] { return t(x) }\n}\n',
    );
    writeFileSync(
      join(dir, 'main.dn'),
      'import "./sub/wrap.dn"\nmodel M {\n  w = Wrap\n  fn (x: f32[B, 2], s: f32[B]) -> f32[B, 2] { return w(x) }\n}\n',
    );
    const p = compileFile(join(dir, 'main.dn'));
    expect(p.models[0].parameters.map((q) => q.path)).toEqual(['w.t.fc.weight', 'w.t.fc.bias']);
  });

  it('reports a missing relative import at the import', () => {
    const [e] = errors('import "./nope.dn"\n');
    expect([e.code, e.span?.line, e.span?.col]).toEqual(['DSL0103', 1, 1]);
    expect(e.message).toContain("cannot find module './nope.dn'");
  });

  it('suggests a std/nn block for a misspelled name', () => {
    const src = 'import "std/nn"\nmodel M {\n  a = MultiHeadAtention(8, 2)\n  fn (x: f32[B, 4, 8], s: f32[B]) -> f32[B, 4, 8] { return a(x) }\n}\n';
    const [e] = errors(src);
    expect(e.hint).toBe("did you mean 'MultiHeadAttention'?");
  });
});

describe('scopes', () => {
  it('lets a model use a block declared further down the file', () => {
    const src =
      'model M {\n  s = Scale(2)\n  fn (x: f32[B], t: f32[B]) -> f32[B] { return s(x) }\n}\nblock Scale(k: int) {\n  fn (x: f32[B]) -> f32[B] { return x * k }\n}\n';
    const g = compile(src).models[0].graph;
    expect(allNodesDeep(g).map((n) => n.op)).toEqual(['param', 'param', 'constant', 'mul']);
  });

  it('keeps a comprehension variable inside the comprehension', () => {
    const src = 'model M {\n  a = [i * 2 for i in 0 .. 3]\n  b = i\n  fn (x: f32[B], t: f32[B]) { return x }\n}\n';
    const [e] = errors(src);
    expect([e.code, e.message, e.span?.line, e.span?.col]).toEqual(['DSL0101', "unknown name 'i'", 3, 7]);
  });

  it('sees fn parameters, members, block parameters and dimension variables in a fn body', () => {
    const src =
      'block A(k: int) {\n  two = k * 2\n  fn (x: f32[B, N]) -> f32[B, N] { return x * two + N }\n}\n' +
      'model M {\n  a = A(3)\n  fn (x: f32[B, 5], t: f32[B]) -> f32[B, 5] { return a(x) }\n}\n';
    const consts = allNodesDeep(compile(src).models[0].graph)
      .filter((n) => n.op === 'constant')
      .map((n) => Array.from(n.attrs.data as Float32Array));
    expect(consts).toEqual([[6], [5]]);
  });

  it('reads a variable before its assignment as unknown', () => {
    const src = 'model M {\n  fn (x: f32[B], t: f32[B]) {\n    y = z\n    z = x\n    return y\n  }\n}\n';
    const [e] = errors(src);
    expect([e.code, e.span?.line]).toEqual(['DSL0101', 3]);
  });
});
