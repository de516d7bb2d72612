// The pass runner and the pipeline registry: order, stats, dumps, disabling, verification that
// names the guilty pass, weights threaded between passes, and pipeline specs.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import type { Graph, Node } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { definePass, type Pass } from '../../compiler/passes/pass.ts';
import { runPipeline } from '../../compiler/passes/runner.ts';
import { PASSES, PIPELINES, resolvePipeline } from '../../compiler/pipelines.ts';
import { dce } from '../../compiler/passes/dce.ts';
import { expectGolden, expectUnchanged, parseIR } from './helpers.ts';
import { tensor } from '../../compiler/core/tensor.ts';

const INPUT = `
graph @g(%x: f32[2]) {
  %0 = constant {data=dense<[2]>} : f32[]
  %1 = constant {data=dense<[3]>} : f32[]
  %2 = mul(%0, %1) : f32[]
  %3 = mul(%x, %2) : f32[2]
  return %3
}`;

/** The DenocError `fn` throws. */
function caught(fn: () => unknown): DenocError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DenocError);
    return e as DenocError;
  }
  throw new Error('expected a DenocError');
}

/** Records the order passes run in and what they saw in ctx. */
function probe(name: string, log: string[], extra: Partial<Pass> = {}): Pass {
  return definePass({
    name,
    summary: `probe ${name}`,
    options: { k: { default: 1, help: 'a number' } },
    run(graph, opts, ctx) {
      log.push(`${name}:k=${String(opts.k)}:w=${[...(ctx.weights?.keys() ?? [])].join('+')}`);
      return { graph, changed: false, stats: { seen: 1 } };
    },
    ...extra,
  });
}

/** A pass that returns a graph whose output type lies (f32[3] for an f32[2] neg). */
const breaker = definePass({
  name: 'breaker',
  summary: 'breaks the graph',
  options: {},
  run(graph) {
    const out = graph.outputs[0];
    const bad: Node = Object.freeze({ id: 9_999_999, op: 'neg', inputs: [out], attrs: {}, type: tensorType('f32', [3]), regions: [] });
    return { graph: { ...graph, outputs: [bad] }, changed: true, stats: {} };
  },
});

describe('runPipeline', () => {
  it('runs the passes in order and returns the result with per-pass stats', () => {
    const log: string[] = [];
    const result = runPipeline(
      parseIR(INPUT),
      [{ pass: probe('a', log) }, { pass: probe('b', log), options: { k: 5 } }, ...resolvePipeline('default')],
      { verify: true },
    );
    expect(log).toEqual(['a:k=1:w=', 'b:k=5:w=']);
    expect(result.stats.map((s) => s.pass)).toEqual(['a', 'b', 'fold-constants', 'hoist-loop-invariant', 'cse', 'dce']);
    expect(result.stats[2]).toMatchObject({ changed: true, skipped: false, stats: { folded: 1 } });
    expect(printGraph(result.graph)).toContain('constant {data=dense<[6]>}');
  });

  it('dumps the IR after the named passes, or after all', () => {
    const dumps: string[] = [];
    runPipeline(parseIR(INPUT), resolvePipeline('default'), { dumpAfter: ['cse'], onDump: (n, t) => dumps.push(`${n}\n${t}`) });
    expect(dumps).toHaveLength(1);
    expect(dumps[0].startsWith('cse\ngraph @g')).toBe(true);
    const all: string[] = [];
    runPipeline(parseIR(INPUT), resolvePipeline('default'), { dumpAfter: 'all', onDump: (n) => all.push(n) });
    expect(all).toEqual(['fold-constants', 'hoist-loop-invariant', 'cse', 'dce']);
  });

  it('skips disabled passes and says so in the stats', () => {
    const result = runPipeline(parseIR(INPUT), resolvePipeline('default'), { disable: ['fold-constants'] });
    expect(result.stats[0]).toMatchObject({ pass: 'fold-constants', skipped: true });
    expect(printGraph(result.graph)).toContain('%2 = mul(%0, %1)');
  });

  it('rejects dump/disable names that are not in the pipeline', () => {
    expect(() => runPipeline(parseIR(INPUT), resolvePipeline('default'), { disable: ['fuse'] })).toThrow(
      /--disable names 'fuse', not in this pipeline \(fold-constants, hoist-loop-invariant, cse, dce\)/,
    );
    expect(() => runPipeline(parseIR(INPUT), [], { dumpAfter: ['dce'] })).toThrow(DenocError);
  });

  it('names the pass that produced an invalid graph', () => {
    const e = caught(() => runPipeline(parseIR(INPUT), [...resolvePipeline('default'), { pass: breaker }], { verify: true }));
    expect(e.diagnostics.map((d) => d.code)).toEqual(['IR0151', 'IR0105']);
    expect(e.message).toContain("pass 'breaker' produced an invalid graph");
    expect(() => runPipeline(parseIR(INPUT), [{ pass: breaker }])).not.toThrow();
  });

  it('rejects an invalid input graph before any pass runs', () => {
    const log: string[] = [];
    const bad = { ...breaker.run(parseIR(INPUT), {}, {}).graph } as Graph;
    expect(() => runPipeline(bad, [{ pass: probe('a', log) }], { verify: true })).toThrow(/IR0150/);
    expect(log).toEqual([]);
  });

  it('wraps a crash in a pass with its name, and adds a note to a DenocError', () => {
    const crash = probe('crash', [], {
      run: () => {
        throw new TypeError('boom');
      },
    });
    expect(() => runPipeline(parseIR(INPUT), [{ pass: crash }])).toThrow(/IR0152: pass 'crash' failed: boom/);
    const coded = probe('coded', [], {
      run: () => {
        throw new DenocError({ code: 'CPR0206', severity: 'error', message: 'bad' });
      },
    });
    const e = caught(() => runPipeline(parseIR(INPUT), [{ pass: coded }]));
    expect(e.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['error CPR0206', 'note IR0152']);
  });

  it('passes weights created by one pass to the next ones and returns them', () => {
    const log: string[] = [];
    const maker = probe('maker', log, {
      run: (graph) => ({ graph, changed: false, stats: {}, weights: new Map([['new.w', tensor([1], Float32Array.of(1))]]) }),
    });
    const result = runPipeline(parseIR(INPUT), [{ pass: maker }, { pass: probe('user', log) }], {
      ctx: { weights: new Map([['old.w', tensor([1], Float32Array.of(0))]]) },
    });
    expect(log).toEqual(['user:k=1:w=old.w+new.w']);
    expect([...(result.weights?.keys() ?? [])]).toEqual(['old.w', 'new.w']);
  });

  it('rejects unknown pass options', () => {
    expect(() => runPipeline(parseIR(INPUT), [{ pass: dce, options: { aggressive: true } }])).toThrow(/pass 'dce' has no option 'aggressive'/);
  });
});

describe('pipelines', () => {
  it('registers every pass file of compiler/passes/ under its file name, which is the pass name', async () => {
    const dir = path.join(import.meta.dirname, '..', '..', 'compiler', 'passes');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !['pass.ts', 'runner.ts'].includes(f));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const exported = Object.values(await import(path.join(dir, file))) as Partial<Pass>[];
      const passes = exported.filter((v) => typeof v === 'object' && v !== null && typeof v.run === 'function');
      expect(
        passes.map((p) => p.name),
        file,
      ).toEqual([path.basename(file, '.ts')]);
      expect(PASSES[passes[0].name!], file).toBe(passes[0]);
    }
  });

  it('builds every pipeline from known passes', () => {
    for (const names of Object.values(PIPELINES)) for (const n of names) expect(PASSES[n], n).toBeDefined();
    expect(PIPELINES.default).toEqual(['fold-constants', 'hoist-loop-invariant', 'cse', 'dce']);
  });

  it('reads comma-separated specs with options', () => {
    const steps = resolvePipeline('fold-constants{maxElements=16,identities=false}, cse ,dce');
    expect(steps.map((s) => s.pass.name)).toEqual(['fold-constants', 'cse', 'dce']);
    expect(steps[0].options).toEqual({ maxElements: 16, identities: false });
    expect(resolvePipeline(['dce', 'cse']).map((s) => s.pass.name)).toEqual(['dce', 'cse']);
  });

  it('explains bad specs', () => {
    expect(() => resolvePipeline('fold-constant,dce')).toThrow(/unknown pass 'fold-constant' \(did you mean 'fold-constants'\?\)/);
    expect(() => resolvePipeline('fold-constants{tabulate=maybe}')).toThrow(/expected true or false, got 'maybe'/);
    expect(() => resolvePipeline('fold-constants{maxElements}')).toThrow(/needs a value/);
    expect(() => resolvePipeline('cse{x=1}')).toThrow(/pass 'cse' has no option 'x'/);
  });
});

describe('test helpers', () => {
  it('read golden cases from <dir>/<pass>/<case>.ir', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'denoc-golden-'));
    mkdirSync(path.join(dir, 'dce'));
    const loop = (carried: string, body: string) => `
graph @g(%x: f32[2]) {
  %0 = loop(${carried}) {count=2, carried=${carried.split(',').length}} : (${carried
    .split(',')
    .map(() => 'f32[2]')
    .join(', ')})
    body(%iter: i32[]${carried
      .split(',')
      .map((_, i) => `, %carried${i}: f32[2]`)
      .join('')}) {
${body}
    }
  %1 = tuple_get(%0) {index=0} : f32[2]
  return %1
}`;
    writeFileSync(
      path.join(dir, 'dce', 'two.ir'),
      `// unused second carried value\n${loop('%x, %x', '      yield %carried0, %carried0')}\n// ---- expected\n${loop('%x', '      yield %carried0')}\n`,
    );
    writeFileSync(path.join(dir, 'dce', 'one.ir'), loop('%x', '      yield %carried0'));
    expectGolden(dce, 'two', { goldenDir: dir });
    expectUnchanged(dce, 'one', { goldenDir: dir });
    expect(() => expectGolden(dce, 'one', { goldenDir: dir })).toThrow(/no '\/\/ ---- expected' section/);
  });
});
