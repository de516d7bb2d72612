// The WebGPU lowering table covers every registered op, and pipeline cache keys hold every
// specialization parameter: equal keys ⇔ equal WGSL over kernels that differ in one parameter each.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import '../../targets/webgpu/passes/fuse.ts';
import { GraphBuilder, t } from '../../compiler/core/ir/builder.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { allOps } from '../../compiler/core/ops/registry.ts';
import { DEFAULT_CAPABILITIES } from '../../targets/webgpu/capabilities.ts';
import { generateKernel } from '../../targets/webgpu/kernel.ts';
import { LOWERINGS } from '../../targets/webgpu/lowering.ts';
import { lit } from '../../targets/webgpu/wgsl-util.ts';

function matmulRegion(m: number, k: number, n: number, epilogue: 'silu' | 'relu' | undefined, transposeB = false): Graph {
  const b = new GraphBuilder('k');
  const a = b.param('in0', t('f32', [m, k]));
  const w = b.param('in1', t('f32', transposeB ? [n, k] : [k, n]));
  let y = b.op('matmul', [a, w], { transposeB });
  if (epilogue) y = b.op(epilogue, [y]);
  return b.finish([y]);
}

describe('WebGPU lowering table', () => {
  it('has an entry for every registered op; unsupported entries give a reason', () => {
    const missing = allOps()
      .map((o) => o.name)
      .filter((n) => !LOWERINGS.has(n));
    expect(missing).toEqual([]);
    for (const [name, l] of LOWERINGS) {
      if (l.kind === 'unsupported') expect(l.reason.length, name).toBeGreaterThan(10);
      if (l.kind === 'structural') expect(l.why.length, name).toBeGreaterThan(10);
    }
  });

  it('writes WGSL literals that keep f32 values and parse as WGSL', () => {
    expect(lit(1, 'f32')).toBe('1.0f');
    expect(lit(-2.5, 'f32')).toBe('(-2.5f)');
    expect(Math.fround(Number.parseFloat(lit(0.1, 'f32')))).toBe(Math.fround(0.1));
    expect(lit(1e-5, 'f32')).toBe('0.00001f');
    expect(lit(3, 'u32')).toBe('3u');
    expect(lit(-3, 'i32')).toBe('(-3i)');
    expect(lit(Infinity, 'f32')).toBe('f32_bits(0x7f800000u)');
  });
});

describe('pipeline cache keys', () => {
  const variants: [string, Graph][] = [
    ['base', matmulRegion(32, 16, 64, 'silu')],
    ['same again', matmulRegion(32, 16, 64, 'silu')],
    ['other M (other tiles)', matmulRegion(8, 16, 64, 'silu')],
    ['other K', matmulRegion(32, 8, 64, 'silu')],
    ['other epilogue', matmulRegion(32, 16, 64, 'relu')],
    ['no epilogue', matmulRegion(32, 16, 64, undefined)],
    ['transposed B', matmulRegion(32, 16, 64, 'silu', true)],
  ];
  const kernels = variants.map(([name, g]) => ({ name, code: generateKernel(g, 'k', { caps: DEFAULT_CAPABILITIES }) }));

  it('are equal exactly when the generated WGSL is equal', () => {
    for (const a of kernels) {
      for (const b of kernels) {
        expect(a.code.key === b.code.key, `${a.name} vs ${b.name}`).toBe(a.code.wgsl === b.code.wgsl);
      }
    }
    expect(kernels[0].code.key).toBe(kernels[1].code.key);
    expect(new Set(kernels.map((k) => k.code.key)).size).toBe(kernels.length - 1);
  });

  it('include how params are provided (a loop index from the uniform block vs a buffer)', () => {
    const b = new GraphBuilder('k');
    const i = b.param('in0', t('i32', []));
    const x = b.param('in1', t('f32', [4]));
    const body = b.finish([b.op('mul', [x, b.op('cast', [i], { dtype: 'f32' })])]);
    const asBuffer = generateKernel(body, 'k', { caps: DEFAULT_CAPABILITIES });
    const asIter = generateKernel(body, 'k', { caps: DEFAULT_CAPABILITIES, sources: [{ iter: true }, {}] });
    expect(asBuffer.key).not.toBe(asIter.key);
    expect(asIter.bindings.map((bd) => bd.role)).toEqual(['out', 'in', 'step']);
    expect(asBuffer.bindings.map((bd) => bd.role)).toEqual(['out', 'in', 'in']);
  });
});
