/**
 * The front end on hostile sizes (issue 17): newline/comment layout is linear in the number of blank
 * and comment lines, and deep nesting or long operator chains end in a positioned DSL0006 (or
 * compile) instead of a stack overflow or an internal error; oversize or unreadable sources are DSL
 * errors before anything is read.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { LIMITS } from '../../compiler/core/limits.ts';
import { checkSource, compileFile } from '../../dsl/index.ts';
import { layoutTokens, lexer } from '../../dsl/syntax/tokens.ts';

const fn = (body: string): string => `model M {\n  fn (x: f32[2]) -> f32[2] {\n    return ${body}\n  }\n}\n`;

function codes(src: string): string[] {
  return checkSource(src, 'scale.dn').map((d) => d.code);
}

describe('front end scaling', () => {
  it('lays out 200 KB of blank and comment lines in well under a second', () => {
    const src = `${'# a comment line\n\n\n'.repeat(11_000)}${fn('x')}`;
    expect(src.length).toBeGreaterThan(200_000);
    const t0 = performance.now();
    const tokens = layoutTokens(lexer.tokenize(src).tokens);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(tokens.filter((t) => t.tokenType.name === 'Newline').length).toBeLessThan(10);
    expect(codes(src)).toEqual([]);
  });

  it('reports 10 000 nested parentheses as DSL0006 at the bracket past the limit', () => {
    const src = fn(`${'('.repeat(10_000)}x${')'.repeat(10_000)}`);
    const [d, ...rest] = checkSource(src, 'scale.dn');
    expect(rest).toEqual([]);
    expect(d.code).toBe('DSL0006');
    // The model's and the fn's braces are two levels; the parentheses start at column 12.
    expect(d.span).toMatchObject({ line: 3, col: 12 + LIMITS.nestingDepth.max - 2 });
    expect(d.message).toMatch(/nestingDepth/);
  });

  it('compiles nesting just under the limit', () => {
    expect(codes(fn(`${'('.repeat(60)}x${')'.repeat(60)}`))).toEqual([]);
    expect(codes(fn(`${'-'.repeat(60)}x`))).toEqual([]);
  });

  it('reports 10 000 nested blocks, prefix operators and if-expressions as DSL0006', () => {
    const blocks = `model M {\n  fn (x: f32[2]) -> f32[2] {\n${'if true {\n'.repeat(10_000)}x = x\n${'}\n'.repeat(10_000)}return x\n}\n}\n`;
    expect(codes(blocks)).toEqual(['DSL0006']);
    expect(codes(fn(`${'-'.repeat(10_000)}x`))).toEqual(['DSL0006']);
    expect(codes(fn(`${'not '.repeat(10_000)}x`))).toEqual(['DSL0006']);
    expect(codes(fn(`${'if true then x else '.repeat(10_000)}x`))).toEqual(['DSL0006']);
    expect(codes(fn(`x${' ** 2'.repeat(10_000)}`))).toEqual(['DSL0006']);
  });

  it('reports a 100 000-term operator chain as DSL0006 quickly, and compiles a chain under the limit', () => {
    const t0 = performance.now();
    const [d] = checkSource(fn(`x${' + x'.repeat(100_000)}`), 'scale.dn');
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(d).toMatchObject({ code: 'DSL0006', span: { line: 3 } });
    expect(d.message).toMatch(/expressionDepth/);
    expect(codes(fn(`x${' + x'.repeat(900)}`))).toEqual([]);
    expect(codes(fn(`x${'.shape'.repeat(100_000)}`))).toEqual(['DSL0006']);
  });

  it('does not count list elements or call arguments as nesting', () => {
    expect(codes(fn(`x * ${`[${Array(5000).fill('1.0').join(', ')}]`}[0]`))).toEqual([]);
  });
});

describe('source files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-scale-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function compileError(path: string): DenocError {
    try {
      compileFile(path);
    } catch (e) {
      if (e instanceof DenocError) return e;
      throw e;
    }
    throw new Error('expected a DenocError');
  }

  it('refuses a directory and a device as a source, without reading them', () => {
    expect(compileError(dir).diagnostics[0].code).toBe('DSL0103');
    expect(compileError('/dev/zero').diagnostics[0].code).toBe('DSL0103');
  });

  it('refuses an import of a directory with a positioned DSL0103', () => {
    const main = join(dir, 'main.dn');
    writeFileSync(main, `import "./"\n${fn('x')}`);
    expect(compileError(main).diagnostics[0]).toMatchObject({ code: 'DSL0103', span: { line: 1 } });
  });

  it('refuses a source text over the size limit before lexing it', () => {
    const d = checkSource(' '.repeat(LIMITS.sourceBytes.max + 1), 'big.dn');
    expect(d.map((x) => x.code)).toEqual(['DSL0007']);
    expect(d[0].message).toMatch(/sourceBytes/);
  });
});

describe('compile-time coefficient tables', () => {
  it('refuses a per-step table holding infinity with DSL0506 naming the step', () => {
    const src =
      `model M() {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {\n    return x\n  }\n}\n` +
      `sampler blowup(model: Model, steps: int = 4) {\n  x = randn(model.sample_shape)\n  for i in 0 .. steps {\n` +
      `    x = x * exp(400.0 * i)\n  }\n  return x\n}\nsampler s = blowup(M)\n`;
    const [d] = checkSource(src, 'table.dn');
    expect(d).toMatchObject({ code: 'DSL0506', span: { line: 9 } });
    expect(d.message).toMatch(/e\+173 \(not finite in f32\) at step 1 of 4/);
  });
});
