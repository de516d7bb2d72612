/**
 * The diagnostic code tables (compiler/core/diagnostic-codes/) against the code and the docs:
 * every key has its family's prefix and four digits, no code is in two tables, every code is raised
 * somewhere in product code (or reserved with a reason), every code that product code or a doc
 * names is in a table, and a doc table that lists a family lists all of it with the tables' meanings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DSL_CODES } from '../../compiler/core/diagnostic-codes/dsl.ts';
import { DIAGNOSTIC_FAMILIES, RESERVED_CODES } from '../../compiler/core/diagnostic-codes/index.ts';
import { DSL } from '../../dsl/diagnostic-codes.ts';

const ROOT = join(import.meta.dirname, '../..');
const PRODUCT_DIRS = ['compiler', 'dsl', 'targets', 'runtime', 'api', 'cli', 'web', 'tools', 'bench', 'scripts'];
/** Files that map names to codes: a literal here is not a use, a `DSL.Name` (in dslNote) is. */
const TABLE_FILES = new Set(['dsl/diagnostic-codes.ts', 'runtime/weights/diagnostic-codes.ts']);
const TABLE_DIR = 'compiler/core/diagnostic-codes/';

const ALL_CODES = new Map<string, string>(DIAGNOSTIC_FAMILIES.flatMap((f) => Object.keys(f.codes).map((code) => [code, f.prefix] as const)));
/** Any prefix followed by four digits, so a misspelt or retired code is found too. */
const CODE_PATTERN = new RegExp(`\\b(?:${DIAGNOSTIC_FAMILIES.map((f) => f.prefix).join('|')})\\d{4}\\b`, 'g');

function filesUnder(dir: string, ext: RegExp): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules') return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return filesUnder(path, ext);
    return ext.test(e.name) ? [path] : [];
  });
}

const PRODUCT_FILES = PRODUCT_DIRS.flatMap((d) => filesUnder(d, /\.(ts|tsx|js|mjs)$/)).map((path) => ({
  path: relative(ROOT, join(ROOT, path)),
  text: readFileSync(join(ROOT, path), 'utf8'),
}));

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:\\])\/\/.*$/gm, '$1');
}

/** Codes raised in product code: literals outside comments and the tables, and `DSL.Name`. */
function raisedCodes(): Set<string> {
  const raised = new Set<string>();
  const dslNames = new Map(Object.entries(DSL));
  for (const { path, text } of PRODUCT_FILES) {
    if (path.startsWith(TABLE_DIR)) continue;
    const code = withoutComments(text);
    if (!TABLE_FILES.has(path)) for (const m of code.matchAll(CODE_PATTERN)) raised.add(m[0]);
    for (const m of code.matchAll(/\bDSL\.(\w+)/g)) {
      const named = dslNames.get(m[1]);
      if (named) raised.add(named);
    }
  }
  return raised;
}

/** `CPR0101–0104`, `WG0200–WG0203`, `SCH0001-3`: every code from the first to the last. */
function expandRange(prefix: string, first: string, last: string): string[] {
  const lastDigits = last.replace(prefix, '');
  const end = Number(first.slice(0, 4 - lastDigits.length) + lastDigits);
  return Array.from({ length: end - Number(first) + 1 }, (_, i) => `${prefix}${String(Number(first) + i).padStart(4, '0')}`);
}

/** Every code a piece of doc text names, ranges expanded. */
function codesIn(text: string): string[] {
  const prefixes = DIAGNOSTIC_FAMILIES.map((f) => f.prefix).join('|');
  const range = new RegExp(`\\b(${prefixes})(\\d{4})\\s*[-–]\\s*((?:${prefixes})?\\d{1,4})\\b`, 'g');
  const ranged = [...text.matchAll(range)].flatMap((m) => expandRange(m[1], m[2], m[3]));
  return [...ranged, ...[...text.replace(range, '').matchAll(CODE_PATTERN)].map((m) => m[0])];
}

const DOCS = [...filesUnder('docs', /\.md$/), 'README.md'].map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

/** The codes in the first cell of a doc's table rows (`| WG0102 / WG0103 | ... |`). */
function tableRowCodes(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .flatMap((l) => codesIn(l.split('|')[1] ?? ''));
}

describe('diagnostic code tables', () => {
  it('gives every family its own prefix and every code that prefix, four digits and one line', () => {
    const prefixes = DIAGNOSTIC_FAMILIES.map((f) => f.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const { prefix, codes } of DIAGNOSTIC_FAMILIES) {
      for (const [code, meaning] of Object.entries(codes)) {
        expect(code, `${code} in the ${prefix} table`).toMatch(new RegExp(`^${prefix}\\d{4}$`));
        expect(meaning, code).toMatch(/^[^\n]{10,}$/);
      }
    }
  });

  it('puts no code in two tables', () => {
    const count = DIAGNOSTIC_FAMILIES.reduce((n, f) => n + Object.keys(f.codes).length, 0);
    expect(ALL_CODES.size).toBe(count);
  });

  it('names every DSL code once in dsl/diagnostic-codes.ts', () => {
    const named = Object.values(DSL);
    expect(new Set(named).size).toBe(named.length);
    expect([...named].sort()).toEqual(Object.keys(DSL_CODES).sort());
  });
});

describe('diagnostic codes in product code', () => {
  const raised = raisedCodes();

  it('raises every code of the tables somewhere, unless it is reserved', () => {
    const unused = [...ALL_CODES.keys()].filter((c) => !raised.has(c) && !(c in RESERVED_CODES));
    expect(unused, 'codes no product code raises: use them, remove them or reserve them').toEqual([]);
  });

  it('reserves only codes that are in a table and not raised', () => {
    for (const code of Object.keys(RESERVED_CODES)) {
      expect(ALL_CODES.has(code), code).toBe(true);
      expect(raised.has(code), `${code} is raised, so it is not reserved`).toBe(false);
    }
  });

  it('names only codes that are in a table, comments included', () => {
    const unknown = PRODUCT_FILES.filter((f) => !f.path.startsWith(TABLE_DIR))
      .flatMap(({ path, text }) => [...text.matchAll(CODE_PATTERN)].map((m) => `${path}: ${m[0]}`))
      .filter((hit) => !ALL_CODES.has(hit.split(': ')[1]));
    expect(unknown).toEqual([]);
  });
});

describe('diagnostic codes in the docs', () => {
  it('gives a doc table row of one code the meaning of the code table (backquotes aside)', () => {
    const meanings = new Map<string, string>(DIAGNOSTIC_FAMILIES.flatMap((f) => Object.entries(f.codes)));
    const differing = DOCS.flatMap(({ path, text }) =>
      [...text.matchAll(/^\| ([A-Z]+\d{4}) \| (.*) \|$/gm)]
        .filter((m) => m[2].replace(/`/g, '') !== meanings.get(m[1]))
        .map((m) => `${path}: ${m[1]} '${m[2]}' but the table says '${meanings.get(m[1])}'`),
    );
    expect(differing).toEqual([]);
  });

  it('names only codes that are in a table', () => {
    const unknown = DOCS.flatMap(({ path, text }) =>
      codesIn(text)
        .filter((c) => !ALL_CODES.has(c))
        .map((c) => `${path}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });

  it('lists a whole family wherever a doc table lists one of its codes', () => {
    const missing = DOCS.flatMap(({ path, text }) => {
      const listed = new Set(tableRowCodes(text));
      const families = DIAGNOSTIC_FAMILIES.filter((f) => [...listed].some((c) => ALL_CODES.get(c) === f.prefix));
      return families.flatMap((f) =>
        Object.keys(f.codes)
          .filter((c) => !listed.has(c))
          .map((c) => `${path}: ${c}`),
      );
    });
    expect(missing).toEqual([]);
  });
});
