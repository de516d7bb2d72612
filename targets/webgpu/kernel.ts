/**
 * Turns one kernel region (a fused subgraph whose params are the kernel's inputs) into a WGSL
 * compute shader and its binding metadata, produced together so they cannot disagree:
 * binding 0 is the output, then the storage inputs the code actually reads (by param order), then
 * the per-step uniform block when a loop-body kernel reads the step index or a coefficient.
 *
 * The pipeline cache key holds every specialization parameter: the template and its tile/mode
 * parameters, the workgroup size, the region's printed IR (ops, attributes, shapes, dtypes, inlined
 * constants), how each param is provided and which uniform slots it reads.
 */
import type { Graph, Node } from '../../compiler/core/ir/node.ts';
import { topoOrder, tensorOf } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import type { Capabilities } from './capabilities.ts';
import { attentionTemplate } from './kernels/attention.ts';
import { conv2dTemplate } from './kernels/conv.ts';
import { elementwiseTemplate } from './kernels/elementwise.ts';
import { matmulTemplate } from './kernels/matmul.ts';
import { normTemplate, reduceTemplate, softmaxTemplate } from './kernels/reduce.ts';
import type { Template } from './kernels/template.ts';
import { exprLoweringOf, templateOf, type TemplateName } from './lowering.ts';
import { KernelWriter, type ParamSource, type StepSlotRequest } from './wgsl.ts';
import { F32_BITS_WGSL, storageType } from './wgsl-util.ts';

const TEMPLATES: Readonly<Record<TemplateName, Template>> = {
  elementwise: elementwiseTemplate,
  matmul: matmulTemplate,
  conv2d: conv2dTemplate,
  reduce: reduceTemplate,
  softmax: softmaxTemplate,
  norm: normTemplate,
  attention: attentionTemplate,
};

export interface KernelBinding {
  readonly binding: number;
  readonly role: 'out' | 'in' | 'step';
  /** Region param index for inputs, -1 otherwise. */
  readonly param: number;
}

export interface KernelCode {
  readonly name: string;
  readonly template: TemplateName;
  readonly key: string;
  readonly wgsl: string;
  readonly bindings: readonly KernelBinding[];
  readonly workgroupSize: number;
  readonly workgroups: readonly [number, number, number];
  /** vec4<u32> words of the per-step uniform block this kernel declares (0: none). */
  readonly stepWords: number;
  readonly flops: number;
}

export interface KernelOptions {
  readonly caps: Capabilities;
  /** How each region param is provided (loop index, compile-time table); default: storage buffers. */
  readonly sources?: readonly ParamSource[];
  /** Uniform slot of `table[iter]` for a table param (loop bodies only). */
  readonly stepSlot?: StepSlotRequest;
}

export function generateKernel(region: Graph, name: string, opts: KernelOptions): KernelCode {
  const root = region.outputs[0];
  const nodes = topoOrder(region).filter((n) => n.op !== 'param' && n.op !== 'constant');
  const { template, anchor } = templateOf(nodes);
  const slotsRead: number[] = [];
  const stepSlot: StepSlotRequest = (param) => {
    if (!opts.stepSlot) throw new Error(`kernel ${name} reads a per-step table outside a loop`);
    const s = opts.stepSlot(param);
    slotsRead.push(s);
    return s;
  };
  const w = new KernelWriter(region, exprLoweringOf, opts.sources ?? [], stepSlot);
  const result = TEMPLATES[template]({ w, root, anchor, caps: opts.caps });
  const body = w.bodyLines();
  const params = [...w.usedParams].sort((a, b) => a - b);
  const bindings: KernelBinding[] = [{ binding: 0, role: 'out', param: -1 }];
  params.forEach((p, i) => bindings.push({ binding: i + 1, role: 'in', param: p }));
  const stepWords = w.maxStepSlot >= 0 ? (w.maxStepSlot >> 2) + 1 : 0;
  if (stepWords) bindings.push({ binding: bindings.length, role: 'step', param: -1 });
  const decls = bindings.map((b) => declare(b, region, root));
  const helpers = [...w.helpers.values()];
  if (body.some((l) => l.includes('f32_bits(')) || helpers.some((h) => h.includes('f32_bits('))) helpers.unshift(F32_BITS_WGSL);
  const wgsl = [
    ...decls,
    ...w.moduleConsts,
    ...w.shared,
    ...helpers,
    '',
    `@compute @workgroup_size(${result.workgroupSize})`,
    'fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {',
    ...body.map((l) => `  ${l}`),
    '}',
    '',
  ]
    .join('\n')
    .replace('array<vec4<u32>, STEP>', `array<vec4<u32>, ${stepWords}>`);
  const sources = (opts.sources ?? []).map((s) => (s.iter ? 'i' : s.table ? 't' : 'b')).join('');
  const key = [
    template,
    JSON.stringify(result.params),
    `wg${result.workgroupSize}`,
    `src:${sources}`,
    `slots:${[...new Set(slotsRead)].join(',')}`,
    printGraph(region),
  ].join('|');
  return { name, template, key, wgsl, bindings, workgroupSize: result.workgroupSize, workgroups: result.workgroups, stepWords, flops: result.flops };
}

function declare(b: KernelBinding, region: Graph, root: Node): string {
  if (b.role === 'step') return `@group(0) @binding(${b.binding}) var<uniform> step: array<vec4<u32>, STEP>;`;
  if (b.role === 'out') return `@group(0) @binding(0) var<storage, read_write> out: array<${storageType(tensorOf(root).dtype)}>;`;
  const p = region.params[b.param];
  return `@group(0) @binding(${b.binding}) var<storage, read> in${b.param}: array<${storageType(tensorOf(p).dtype)}>;`;
}
