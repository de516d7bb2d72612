// Binding tensors to parameter specs: the happy path, and every problem reported at once with hints.
import { describe, expect, it } from 'vitest';
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { tensor, type Tensor } from '../../compiler/core/tensor.ts';
import { bindWeights } from '../../runtime/weights/bind.ts';
import type { ParameterSpec } from '../../runtime/weights/init.ts';
import { readSafetensors, writeSafetensors } from '../../compiler/core/safetensors.ts';

const span = { file: 'model.dn', line: 4, col: 3 };
const p = (path: string, shape: (number | string)[]): ParameterSpec => ({ path, type: tensorType('f32', shape), init: { kind: 'zeros' }, span });
const t = (shape: number[]) =>
  tensor(
    shape,
    new Float32Array(shape.reduce((n, d) => n * d, 1)).map((_, i) => i),
  );

const specs = [p('conv1.weight', [4, 1, 3, 3]), p('conv1.bias', [4]), p('proj.weight', [8, 4])];

function diagnostics(fn: () => unknown): Diagnostic[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenocError) return [...e.diagnostics];
    throw e;
  }
  throw new Error('expected a DenocError');
}

describe('bindWeights', () => {
  it('binds by dotted path, keeping data and shapes', () => {
    const weights = new Map([
      ['proj.weight', t([8, 4])],
      ['conv1.bias', t([4])],
      ['conv1.weight', t([4, 1, 3, 3])],
    ]);
    const store = bindWeights(specs, weights);
    expect([...store.keys()]).toEqual(['conv1.weight', 'conv1.bias', 'proj.weight']);
    expect(store.get('proj.weight')?.data).toBe(weights.get('proj.weight')?.data);
    expect(store.get('conv1.weight')?.shape).toEqual([4, 1, 3, 3]);
  });

  it('binds what a safetensors file holds', () => {
    const file = writeSafetensors({ 'conv1.weight': t([4, 1, 3, 3]), 'conv1.bias': t([4]), 'proj.weight': t([8, 4]) }, { dtype: 'f16' });
    expect(bindWeights(specs, readSafetensors(file)).get('conv1.bias')?.data).toEqual(Float32Array.of(0, 1, 2, 3));
  });

  it('reports missing, unexpected and wrong-shaped tensors together, one diagnostic each', () => {
    const weights = { 'conv1.weigth': t([4, 1, 3, 3]), 'conv1.bias': t([5]), 'proj.weight': t([8, 4]), 'ema.step': t([1]) };
    const ds = diagnostics(() => bindWeights(specs, weights, { source: 'w.safetensors' }));
    expect(ds.map((d) => d.code)).toEqual(['WGT0101', 'WGT0103', 'WGT0102', 'WGT0102']);
    expect(ds[0].message).toBe("parameter 'conv1.weight' (f32[4,1,3,3]) is missing from 'w.safetensors'");
    expect(ds[0].hint).toBe("did you mean 'conv1.weigth'?");
    expect(ds[0].span).toEqual(span);
    expect(ds[1].message).toBe("parameter 'conv1.bias' expects shape [4] but 'w.safetensors' has [5]");
    expect(ds[2].message).toMatch(/tensor 'conv1.weigth' \[4,1,3,3\] in 'w.safetensors' is no parameter/);
    expect(ds[2].hint).toBe("did you mean 'conv1.weight'?");
    expect(ds[3].hint).toBeUndefined();
  });

  it('ignores extra tensors when asked to', () => {
    const weights = { 'conv1.weight': t([4, 1, 3, 3]), 'conv1.bias': t([4]), 'proj.weight': t([8, 4]), 'ema.step': t([1]) };
    expect([...bindWeights(specs, weights, { allowUnexpected: true }).keys()]).not.toContain('ema.step');
  });

  it('says a transposed linear weight looks transposed', () => {
    const ds = diagnostics(() => bindWeights([p('proj.weight', [8, 4])], { 'proj.weight': t([4, 8]) }));
    expect(ds[0].hint).toMatch(/looks transposed/);
  });

  it('suggests stripping a prefix, and strips it when told', () => {
    const weights = { 'model.conv1.bias': t([4]) };
    const ds = diagnostics(() => bindWeights([p('conv1.bias', [4])], weights));
    expect(ds.map((d) => d.code)).toEqual(['WGT0101', 'WGT0102']);
    expect(ds[0].hint).toMatch(/stripPrefix 'model\.'/);
    expect(ds[1].hint).toMatch(/stripPrefix 'model\.'/);
    expect(bindWeights([p('conv1.bias', [4])], weights, { stripPrefix: 'model.' }).get('conv1.bias')?.data).toEqual(Float32Array.of(0, 1, 2, 3));
  });

  it('rejects integer tensors for float parameters, symbolic shapes and duplicate paths, once each', () => {
    const ds = diagnostics(() =>
      bindWeights(
        [p('a', [2]), p('a', [2]), p('b', ['B', 2])],
        new Map<string, Tensor<Float32Array>>([
          ['a', { ...t([2]), dtype: 'i32' }],
          ['b', t([1, 2])],
        ]),
      ),
    );
    expect(ds.map((d) => d.code)).toEqual(['WGT0106', 'WGT0105', 'WGT0104']);
  });
});
