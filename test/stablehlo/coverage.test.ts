// The lowering table covers the op registry: every registered op has a lowering, a structural
// entry, or an explicit "unsupported" entry with a reason; and the table names no unknown op.
// In both targets, an op is lowered in the ops/ file named like the compiler/core/ops file declaring it.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import '../../compiler/pipelines.ts';
import '../../targets/webgpu/passes/fuse.ts';
import { allOps, hasOp } from '../../compiler/core/ops/registry.ts';
import { LOWERINGS } from '../../targets/stablehlo/lowerings.ts';

describe('StableHLO lowering table', () => {
  it('has an entry for every registered op', () => {
    const missing = allOps()
      .map((d) => d.name)
      .filter((name) => !LOWERINGS.has(name));
    expect(missing, `ops without a StableHLO lowering or unsupported entry: ${missing.join(', ')}`).toEqual([]);
  });

  it('gives a reason for every unsupported or structural entry', () => {
    for (const [name, entry] of LOWERINGS) {
      if (entry.kind === 'unsupported') expect(entry.reason.length, name).toBeGreaterThan(10);
      if (entry.kind === 'structural') expect(entry.why.length, name).toBeGreaterThan(10);
    }
  });

  it('names only registered ops', () => {
    expect([...LOWERINGS.keys()].filter((name) => !hasOp(name))).toEqual([]);
  });
});

const CORE_OPS = new URL('../../compiler/core/ops/', import.meta.url);
const TARGET_OPS: Readonly<Record<string, URL>> = {
  stablehlo: new URL('../../targets/stablehlo/ops/', import.meta.url),
  webgpu: new URL('../../targets/webgpu/ops/', import.meta.url),
  onnx: new URL('../../targets/onnx/ops/', import.meta.url),
};

const familyOf = (file: string): string => file.replace(/\.ts$/, '');

/** op → the core family that declares it, read from the `name: '...'` of each family file's op specs. */
function declaringFamilies(): Map<string, string> {
  const families = new Map<string, string>();
  for (const file of readdirSync(CORE_OPS)) {
    const text = readFileSync(new URL(file, CORE_OPS), 'utf8');
    for (const m of text.matchAll(/name: '([a-z0-9_]+)'/g)) families.set(m[1], familyOf(file));
  }
  return families;
}

/** op → the file of a target's ops/ whose table (`<FAMILY>_LOWERINGS`) holds it. */
async function loweringFamilies(dir: URL): Promise<Map<string, string>> {
  const families = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const tableName = `${familyOf(file).toUpperCase()}_LOWERINGS`;
    const table = (await import(new URL(file, dir).href))[tableName] as Record<string, unknown> | undefined;
    expect(table, `${file} exports ${tableName}`).toBeDefined();
    for (const op of Object.keys(table ?? {})) families.set(op, familyOf(file));
  }
  return families;
}

describe('family files', () => {
  it('lower each op, in every target, in the file named like the core ops file that declares it', async () => {
    const declared = declaringFamilies();
    for (const [target, dir] of Object.entries(TARGET_OPS)) {
      const lowered = await loweringFamilies(dir);
      const misplaced = allOps()
        .map((d) => d.name)
        .filter((op) => !declared.has(op) || lowered.get(op) !== declared.get(op))
        .map((op) => `${op}: declared in ${declared.get(op)}.ts, lowered in ${lowered.get(op)}.ts`);
      expect(misplaced, target).toEqual([]);
    }
  });
});
