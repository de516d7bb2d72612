// The artifact directory for JAX: files, manifest, .npy inputs and references that agree with the
// reference executor and with the interpreter run on the written module; and the Python checker's
// numpy-only validation of the directory.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../compiler/core/ops/index.ts';
import { GraphBuilder } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { readSafetensors } from '../../compiler/core/safetensors.ts';
import { writeStableHLOArtifacts } from '../../targets/stablehlo/artifacts.ts';
import { referenceRunner } from '../../api/run.ts';
import { makeTensor } from '../../tools/stablehlo-interpreter/interpret-tensor.ts';
import { runStableHLO } from '../../tools/stablehlo-interpreter/interpret.ts';
import { ttype, type ElemType } from '../../targets/stablehlo/types.ts';
import { normals } from './helpers.ts';
import { tensor } from '../../compiler/core/tensor.ts';

/** Reads a .npy written by denoc: checks the magic and header, returns dtype, shape and raw data. */
function readNpy(bytes: Uint8Array): { descr: string; shape: number[]; data: Float32Array | Int32Array } {
  expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0]);
  const len = bytes[8] | (bytes[9] << 8);
  expect((10 + len) % 64).toBe(0);
  const header = new TextDecoder().decode(bytes.subarray(10, 10 + len));
  const descr = /'descr': '([^']+)'/.exec(header)![1];
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s)
    .map(Number);
  const raw = new Uint8Array(bytes.subarray(10 + len));
  return { descr, shape, data: descr === '<f4' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer) };
}

/** A small noisy sampler: x ← x·W·c[i] + b, starting from randn(seed), with class labels y. */
function sampler(): Graph {
  const b = new GraphBuilder('tiny');
  const seed = b.param('seed', tensorType('i32', []));
  const y = b.param('y', tensorType('i32', ['B']));
  const x0 = b.op('randn', [seed], { shape: ['B', 8] });
  const table = b.constant(Float32Array.of(1, 0.5), [2]);
  const [x] = b.loop(2, [x0], [table, y], (bb, { iter, carried, captures }) => {
    const w = bb.weight('net.w', tensorType('f32', [8, 8]));
    const emb = bb.op('gather', [bb.weight('net.emb', tensorType('f32', [3, 8])), captures[1]]);
    const h = bb.op('mul', [bb.op('matmul', [carried[0], w]), bb.op('gather', [captures[0], iter])]);
    return [bb.op('add', [h, emb])];
  });
  return b.finish([x]);
}

describe('writeStableHLOArtifacts', () => {
  const weights = new Map([
    [
      'net.w',
      tensor(
        [8, 8],
        normals(64, 2).map((v) => v * 0.3),
      ),
    ],
    ['net.emb', tensor([3, 8], normals(24, 3))],
  ]);

  it('writes the module, weights, manifest, inputs, references and a README', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-hlo-'));
    const { manifest } = await writeStableHLOArtifacts(sampler(), weights, dir, {
      reference: referenceRunner,
      dims: { B: 3 },
      seed: 42,
      inputs: { y: Int32Array.of(2, 0, 1) },
    });
    expect(readdirSync(dir).sort()).toEqual([
      'README.md',
      'input_seed.npy',
      'input_y.npy',
      'manifest.json',
      'reference_0.npy',
      'sampler.mlir',
      'weights.safetensors',
    ]);
    const json = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(json.inputs).toEqual([
      { name: 'seed', dtype: 'i32', shape: [], arg: 0 },
      { name: 'y', dtype: 'i32', shape: [3], arg: 1 },
    ]);
    expect(json.weights.map((w: { name: string; arg: number }) => [w.name, w.arg])).toEqual([
      ['net.emb', 2],
      ['net.w', 3],
    ]);
    expect(json.tolerance).toEqual({ atol: 1e-3, rtol: 1e-3 });
    expect(readNpy(readFileSync(join(dir, 'input_seed.npy')))).toMatchObject({ descr: '<i4', shape: [], data: Int32Array.of(42) });
    expect(readSafetensors(readFileSync(join(dir, 'weights.safetensors'))).get('net.w')!.data).toEqual(weights.get('net.w')!.data);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('python3 scripts/xla-check.py');

    const ref = readNpy(readFileSync(join(dir, 'reference_0.npy')));
    expect(ref.shape).toEqual([3, 8]);
    const [expected] = await runGraph(sampler(), { inputs: { seed: Int32Array.of(42), y: Int32Array.of(2, 0, 1) }, weights, dims: { B: 3 } });
    expect(Array.from(ref.data)).toEqual(Array.from(expected.dataSync()));

    const arg = (elem: ElemType, shape: number[], data: ArrayLike<number>) => makeTensor(ttype(elem, shape), data);
    const [out] = runStableHLO(readFileSync(join(dir, 'sampler.mlir'), 'utf8'), [
      arg('i32', [], [42]),
      arg('i32', [3], [2, 0, 1]),
      arg('f32', [3, 8], weights.get('net.emb')!.data),
      arg('f32', [8, 8], weights.get('net.w')!.data),
    ]);
    Array.from(out.data).forEach((v, i) => expect(Math.abs(v - ref.data[i])).toBeLessThan(1e-5));
    expect(manifest.options.dims).toEqual({ B: 3 });
  });

  it('refuses missing weights, naming them', async () => {
    await expect(
      writeStableHLOArtifacts(sampler(), new Map([['net.w', tensor([8, 8], new Float32Array(64))]]), mkdtempSync(join(tmpdir(), 'denoc-hlo-')), {
        reference: referenceRunner,
        dims: { B: 1 },
      }),
    ).rejects.toThrow(/HLO0401: .*net\.emb \[3, 8\]/);
  });

  const python = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!python)("passes the Python checker's numpy-only validation (skipped without python3 + numpy)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-hlo-'));
    await writeStableHLOArtifacts(sampler(), weights, dir, { reference: referenceRunner, dims: { B: 2 }, precision: 'bf16' });
    const out = execFileSync('python3', ['scripts/xla-check.py', dir, '--check-only'], { encoding: 'utf8' });
    expect(out).toContain('artifact ok');
    expect(out).toContain('precision bf16');
  });
});
