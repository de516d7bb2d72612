// Every op named in the catalog table of docs/ir.md is registered, with a reference kernel unless
// it is structural, with the catalog's fusion kind, and the registry holds nothing the catalog does not name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { allOps, getOp, hasOp } from '../../compiler/core/ops/registry.ts';
import { hasReferenceKernel } from '../../compiler/semantics/kernels/index.ts';

/** [op name, fusion kind, attributes cell] for every name in the first column of the catalog table. */
function catalogRows(): [string, string, string][] {
  const text = readFileSync(new URL('../../docs/ir.md', import.meta.url), 'utf8');
  const table = text.slice(text.indexOf('## Op catalog'));
  const rows = table
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2);
  return rows.flatMap((row) => {
    const cells = row.split('|').map((c) => c.trim());
    const fusion = cells[cells.length - 2];
    const names = cells[1].split(/[\s/]+/).filter((w) => /^[a-z_0-9]+$/.test(w));
    return names.map((name): [string, string, string] => [name, fusion, cells[3]]);
  });
}

const STRUCTURAL = new Set(['param', 'weight', 'constant', 'loop', 'tuple_get', 'kernel']);

describe('op catalog', () => {
  const rows = catalogRows();
  const names = rows.map(([name]) => name);

  it('parses a plausible number of ops from the table', () => {
    expect(names).toContain('conv2d');
    expect(names).toContain('tuple_get');
    expect(names.length).toBeGreaterThan(50);
  });

  it.each(names)('registers %s', (name) => {
    expect(hasOp(name)).toBe(true);
    if (!STRUCTURAL.has(name)) expect(hasReferenceKernel(name), `${name} has no reference kernel`).toBe(true);
  });

  it.each(rows)('declares %s with the catalog fusion kind %s', (name, fusion) => {
    expect(getOp(name).fusion).toBe(fusion);
  });

  it.each(rows)('names only catalog attributes for %s', (name, _, attrCell) => {
    const words = new Set(attrCell.split(/[^A-Za-z_]+/));
    expect(Object.keys(getOp(name).attrs).filter((a) => !words.has(a))).toEqual([]);
  });

  it('registers no op the catalog does not list', () => {
    const extra = allOps()
      .map((d) => d.name)
      .filter((n) => !names.includes(n));
    expect(extra).toEqual([]);
  });

  it('gives every non-structural op a cost function', () => {
    const missing = allOps()
      .filter((d) => !STRUCTURAL.has(d.name) && !d.cost)
      .map((d) => d.name);
    expect(missing).toEqual([]);
  });
});
