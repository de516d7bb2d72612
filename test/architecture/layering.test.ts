// The layering of docs/architecture.md, held by dependency-cruiser with the rules of
// .dependency-cruiser.cjs: the product has no forbidden import, and the rules do catch one (a small tree
// in a temporary folder with an upward import, a runtime that drives the compiler, a target that
// imports another and a cycle across folders).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseResult, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.ts';

const PRODUCT = ['compiler', 'dsl', 'targets', 'runtime', 'api', 'cli', 'web', 'tools'];
const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs');

async function violations(baseDir: string, roots: readonly string[]): Promise<IViolation[]> {
  const cwd = process.cwd();
  process.chdir(baseDir);
  try {
    const { output } = await cruise([...roots], {
      validate: true,
      ruleSet: { forbidden: rules.forbidden },
      doNotFollow: { path: 'node_modules' },
      tsPreCompilationDeps: true,
      enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.json'] },
    });
    return (output as ICruiseResult).summary.violations;
  } finally {
    process.chdir(cwd);
  }
}

const describeViolation = (v: IViolation): string =>
  `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (cycle ${v.cycle.map((c) => c.name).join(' → ')})` : ''}`;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

describe('layering', () => {
  it('holds in the product: no import breaks a rule of .dependency-cruiser.cjs', async () => {
    const found = await violations(ROOT, PRODUCT);
    expect(found.map(describeViolation)).toEqual([]);
  }, 120_000);

  it('catches an upward import, a runtime driving the compiler, target-to-target imports and cross-folder cycles', async () => {
    const dir = tree({
      'compiler/core/ir.ts': "import { run } from '../../runtime/exec.ts';\nexport const ir = run;\n",
      'runtime/exec.ts': "import { cse } from '../compiler/passes/cse.ts';\nexport const run = cse;\n",
      'compiler/passes/cse.ts': 'export const cse = 1;\n',
      'targets/webgpu/plan.ts': "import { emit } from '../stablehlo/emit.ts';\nexport const plan = emit;\n",
      'targets/stablehlo/emit.ts': 'export const emit = 1;\n',
      'dsl/lower/a.ts': "import { b } from '../builtins/b.ts';\nexport const a = () => b;\n",
      'dsl/builtins/b.ts': "import { a } from '../lower/a.ts';\nexport const b = () => a;\n",
    });
    const names = (await violations(dir, ['compiler', 'runtime', 'targets', 'dsl'])).map((v) => `${v.rule.name} ${v.from}`);
    expect(names).toContain('core-imports-upward compiler/core/ir.ts');
    expect(names).toContain('runtime-drives-compiler runtime/exec.ts');
    expect(names).toContain('target-imports-another-target targets/webgpu/plan.ts');
    expect(names.some((n) => n.startsWith('no-cycle-across-folders') && n.includes('dsl/'))).toBe(true);
  }, 60_000);
});
