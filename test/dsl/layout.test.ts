/**
 * The front end's layering: dsl/syntax → semantics → lower → builtins, each folder importing only the
 * ones before it, no import cycle inside dsl/, and the builtin names that name resolution knows
 * matching the implementations that lowering is handed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../../dsl/builtins/index.ts';
import { BUILTIN_NAMES } from '../../dsl/semantics/builtin-names.ts';

const ROOT = join(import.meta.dirname, '../..');
const ORDER = ['syntax', 'semantics', 'lower', 'builtins'];

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each dsl file's imports of other dsl files, type-only ones included. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles('dsl')) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/gms)]
      .map((m) => normalize(join(dirname(file), m[1])))
      .filter((t) => t.startsWith('dsl/'));
    graph.set(file, targets);
  }
  return graph;
}

function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'open') return [...path.slice(path.indexOf(f)), f];
    if (state.get(f) === 'done') return undefined;
    state.set(f, 'open');
    path.push(f);
    for (const t of graph.get(f) ?? []) {
      const cycle = visit(t);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of graph.keys()) {
    const cycle = visit(f);
    if (cycle) return cycle;
  }
  return undefined;
}

const folderOf = (file: string): string => relative('dsl', file).split('/')[0];

describe('dsl layout', () => {
  it('has no import cycle inside dsl/', () => {
    expect(findCycle(importGraph())).toBeUndefined();
  });

  it('imports only earlier folders: syntax → semantics → lower → builtins', () => {
    const upward: string[] = [];
    for (const [file, targets] of importGraph()) {
      const from = ORDER.indexOf(folderOf(file));
      if (from < 0) continue;
      for (const t of targets) if (ORDER.indexOf(folderOf(t)) > from) upward.push(`${file} → ${t}`);
    }
    expect(upward).toEqual([]);
  });

  it('implements exactly the builtin names that name resolution knows, in their order', () => {
    expect([...BUILTINS.keys()]).toEqual(BUILTIN_NAMES);
  });
});
