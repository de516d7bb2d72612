// The ONNX lowering table covers the op registry: every registered op has a lowering, a structural
// entry, or an explicit "unsupported" entry with a reason; and the table names no unknown op.
// (That each op is lowered in the ops/ file named like its core family is checked for every target
// in test/stablehlo/coverage.test.ts.)
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import '../../compiler/pipelines.ts';
import { allOps, hasOp } from '../../compiler/core/ops/registry.ts';
import { LOWERINGS } from '../../targets/onnx/lowerings.ts';

describe('ONNX lowering table', () => {
  it('has an entry for every registered op', () => {
    const missing = allOps()
      .map((d) => d.name)
      .filter((name) => !LOWERINGS.has(name));
    expect(missing, `ops without an ONNX lowering or unsupported entry: ${missing.join(', ')}`).toEqual([]);
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
