// `denoc run --target onnx` and `denoc compile --target onnx`, called in process: the sample the CLI
// draws on onnxruntime is a PNG, and the compiled model.onnx loads in onnxruntime-node as it is.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { denocInProcess as denoc } from '../helpers/cli.ts';

describe('denoc with the ONNX target', () => {
  it('run --target onnx samples on onnxruntime and writes the PNG', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'denoc-')), 'onnx.png');
    const r = await denoc('run', 'examples/mlp2d.dn', '--sampler', 'ddim4', '--target', 'onnx', '--out', out, '--batch', '32', '--no-progress');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.out).toContain('on onnx');
    expect(existsSync(out)).toBe(true);
  });

  it('compile --target onnx writes a self-contained model.onnx and its manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-'));
    const r = await denoc('compile', 'examples/mlp2d.dn', '--sampler', 'ddim4', '--target', 'onnx', '--out', dir, '--batch', '4');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.outputs).toEqual([{ name: 'out0', dtype: 'f32', shape: [4, 2] }]);
    const session = await ort.InferenceSession.create(join(dir, 'model.onnx'));
    const { out0 } = await session.run({ seed: new ort.Tensor('int32', Int32Array.of(1), []) });
    expect(out0.dims).toEqual([4, 2]);
    expect([...(out0.data as Float32Array)].every(Number.isFinite)).toBe(true);
    await session.release();
  });
});
