// The denoc command line: every command's options, exit codes, stdout and stderr, through `main(argv)` in
// this process; one spawned run checks that the `denoc` executable itself starts and reports its exit code.
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { releaseSharedDevice } from '../../runtime/webgpu/device.ts';
import { denocInProcess as denoc } from '../helpers/cli.ts';
import { denoc as denocProcess } from '../helpers/process.ts';

// `run --target webgpu` acquires the process's shared device, as the executable does before it exits.
afterAll(releaseSharedDevice);

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('the denoc executable (a child process)', () => {
  it('check passes on a valid example, exit 0', async () => {
    const r = await denocProcess('check', 'examples/mlp2d.dn');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok');
  });
});

describe('denoc CLI', () => {
  it('prints help listing every command, exit 0', async () => {
    const r = await denoc('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['check', 'inspect', 'run', 'compile', 'passes', 'train', 'distill']) expect(r.out).toContain(cmd);
  });

  it.each(['check', 'inspect', 'run', 'compile', 'passes', 'train', 'distill'])('has --help for %s', async (cmd) => {
    const r = await denoc(cmd, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: denoc ${cmd}`);
  });

  it('rejects an unknown command with exit 2', async () => {
    const r = await denoc('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown command/);
  });

  it('check reports bad DSL as file:line:col with a code frame, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-'));
    const file = join(dir, 'bad.dn');
    writeFileSync(file, 'model M {\n  fn (x: f32[B, 2], t: f32[B]) -> f32[B, 2] {\n    return x + undefinedName\n  }\n}\n');
    const r = await denoc('check', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: error DSL\\d{4}`));
    expect(r.err).toContain('^');
    noStack(r.err);
  });

  it('check on a missing file exits 1 with a clear message', async () => {
    const r = await denoc('check', 'no/such/file.dn');
    expect(r.code).toBe(1);
    expect(r.err).toContain("cannot read 'no/such/file.dn'");
    noStack(r.err);
  });

  it('inspect --stats prints parameter count and FLOPs per step', async () => {
    const r = await denoc('inspect', 'examples/mlp2d.dn', '--stats');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/parameters: [\d.]+ ?k?/);
    expect(r.out).toMatch(/FLOPs per sampling step/);
  });

  it('inspect --after fold-constants prints a graph with constant tables', async () => {
    const r = await denoc('inspect', 'examples/mlp2d.dn', '--after', 'fold-constants');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^graph @/m);
    expect(r.out).toContain('constant');
  });

  it('inspect --after an unknown pass exits 1 and names the pipeline', async () => {
    const r = await denoc('inspect', 'examples/mlp2d.dn', '--after', 'no-such-pass');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no-such-pass');
  });

  it('run writes a scatter PNG for the 2-D model and says the weights are random', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'denoc-')), 'pts.png');
    const r = await denoc('run', 'examples/mlp2d.dn', '--out', out, '--batch', '64', '--seed', '3', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.err).toContain('random weights');
    expect(existsSync(out)).toBe(true);
    const png = PNG.sync.read(readFileSync(out));
    expect(png.width).toBeGreaterThan(100);
  });

  it('train --engine onnx trains with the compiled step on onnxruntime and names the engine on its first line', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'denoc-')), 'w.safetensors');
    const r = await denoc(
      'train',
      'examples/mlp2d.dn',
      '--data',
      'moons',
      '--steps',
      '3',
      '--batch',
      '32',
      '--engine',
      'onnx',
      '--out',
      out,
      '--eval',
      '0',
      '--no-progress',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err.split('\n')[0]).toMatch(/with engine graph\/onnx/);
    expect(existsSync(out)).toBe(true);
  });

  it('train rejects an unknown --engine with CLI0012', async () => {
    const r = await denoc('train', 'examples/mlp2d.dn', '--data', 'moons', '--engine', 'turbo');
    expect(r.code).toBe(1);
    expect(r.err).toContain('CLI0012');
    noStack(r.err);
  });

  it('run rejects a bad --batch value with exit 1', async () => {
    const r = await denoc('run', 'examples/mlp2d.dn', '--batch', 'lots');
    expect(r.code).toBe(1);
    expect(r.err).toContain('--batch must be an integer');
    noStack(r.err);
  });

  it('run with a weights file of the wrong model names the mismatches', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-'));
    const w = join(dir, 'w.safetensors');
    const header = Buffer.from(JSON.stringify({ 'nope.weight': { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    writeFileSync(w, Buffer.concat([len, header, Buffer.alloc(4)]));
    const r = await denoc('run', 'examples/mlp2d.dn', '--weights', w, '--out', join(dir, 'x.png'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/WGT01\d\d/);
    expect(r.err).toContain('nope.weight');
    noStack(r.err);
  });

  it('passes lists the default pipeline passes', async () => {
    const r = await denoc('passes');
    expect(r.code).toBe(0);
    for (const p of ['fold-constants', 'cse', 'dce']) expect(r.out).toContain(p);
  });

  it('run --target webgpu samples on WebGPU and writes the PNG', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'denoc-')), 'gpu.png');
    const r = await denoc('run', 'examples/mlp2d.dn', '--target', 'webgpu', '--out', out, '--batch', '32', '--no-progress');
    expect(r.err).not.toContain('error');
    expect(r.code).toBe(0);
    expect(r.out).toContain('on webgpu');
    expect(existsSync(out)).toBe(true);
  });

  it('compile --target webgpu writes WGSL kernels, a dispatch plan and weights', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-'));
    const r = await denoc('compile', 'examples/mlp2d.dn', '--target', 'webgpu', '--out', dir, '--batch', '4');
    expect(r.code).toBe(0);
    const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8'));
    expect(plan).toBeTypeOf('object');
    expect(existsSync(join(dir, 'weights.safetensors'))).toBe(true);
  });

  it('compile --target stablehlo writes a module, weights, a manifest and a README', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-'));
    const r = await denoc('compile', 'examples/mlp2d.dn', '--target', 'stablehlo', '--out', dir, '--batch', '2');
    expect(r.code).toBe(0);
    const mlir = readFileSync(join(dir, 'sampler.mlir'), 'utf8');
    expect(mlir).toContain('func.func public @main');
    expect(mlir).toContain('stablehlo.while');
    for (const f of ['weights.safetensors', 'manifest.json', 'README.md']) expect(existsSync(join(dir, f))).toBe(true);
  });

  it('compile with an unknown target exits 1 naming the targets', async () => {
    const r = await denoc('compile', 'examples/mlp2d.dn', '--target', 'cuda', '--out', mkdtempSync(join(tmpdir(), 'denoc-')));
    expect(r.code).toBe(1);
    expect(r.err).toContain("unknown target 'cuda'");
    noStack(r.err);
  });

  it('inspect --why-not-fused explains every refused fusion with a reason', async () => {
    const r = await denoc('inspect', 'examples/mlp2d.dn', '--why-not-fused');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\d+ ops in \d+ kernels/);
    expect(r.out).toMatch(/→ matmul at .*: /);
  });

  it('inspect --target stablehlo --cost tpu prints compute- and memory-bound ops', async () => {
    const r = await denoc('inspect', 'examples/mlp2d.dn', '--target', 'stablehlo', '--cost', 'tpu', '--batch', '8');
    expect(r.code).toBe(0);
    expect(r.out).toContain('TPU');
    expect(r.out).toMatch(/memory/);
  });
});
