/**
 * The matmul template: a batched, broadcasting, optionally transposed matmul on the tiled GEMM
 * skeleton, with any fused elementwise epilogue (bias, activation, residual, solver arithmetic)
 * applied to the accumulators before the single write.
 */
import { numel } from '../../../compiler/core/ir/types.ts';
import { staticShape } from '../wgsl-util.ts';
import { directConfig, emitDirectGemm, emitGemm, gemmConfig, type GemmSpec } from './gemm.ts';
import { requireEpilogueShape, storeRoot, unflatten, type Template } from './template.ts';
import type { KernelWriter } from '../wgsl.ts';

/** Batch index of an operand for output batch index `outBatch` (numpy broadcasting). */
function operandBatch(shape: readonly number[], outBatch: readonly string[]): string[] {
  const rank = shape.length - 2;
  const lead = outBatch.length - rank;
  return shape.slice(0, rank).map((d, i) => (d === 1 ? '0u' : outBatch[lead + i]));
}

export const matmulTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const mm = args.anchor!;
  const [a, b] = mm.inputs;
  const ta = mm.attrs.transposeA as boolean,
    tb = mm.attrs.transposeB as boolean;
  const out = staticShape(mm);
  const batchShape = out.slice(0, -2);
  const [m, n] = out.slice(-2);
  const aShape = staticShape(a),
    bShape = staticShape(b);
  const k = ta ? aShape[aShape.length - 2] : aShape[aShape.length - 1];
  const batchCount = numel(batchShape);
  if (batchCount > args.caps.maxComputeWorkgroupsPerDimension) {
    throw new Error(`matmul batch ${batchCount} exceeds the workgroup grid limit`);
  }
  const batchIdx = (w: KernelWriter, z: string): string[] => unflatten(w, z, batchShape);
  const spec: GemmSpec = {
    m,
    n,
    k,
    z: batchCount,
    aFast: ta ? 'm' : 'k',
    bFast: tb ? 'k' : 'n',
    loadA: (w, z, mi, ki) => w.value(a, [...operandBatch(aShape, batchIdx(w, z)), ...(ta ? [ki, mi] : [mi, ki])]),
    loadB: (w, z, ki, ni) => w.value(b, [...operandBatch(bShape, batchIdx(w, z)), ...(tb ? [ni, ki] : [ki, ni])]),
    store: (w, z, mi, ni, acc) => storeRoot(w, args, [...batchIdx(w, z), mi, ni], acc),
  };
  const flops = 2 * batchCount * m * n * k;
  if (args.caps.software) {
    const cfg = directConfig(m, n, 'n');
    return { workgroupSize: cfg.wg, workgroups: emitDirectGemm(args.w, spec, cfg), params: { style: 'direct', ...cfg }, flops };
  }
  const cfg = gemmConfig(m, n);
  return { workgroupSize: 256, workgroups: emitGemm(args.w, spec, cfg), params: { style: 'tiled', ...cfg }, flops };
};
