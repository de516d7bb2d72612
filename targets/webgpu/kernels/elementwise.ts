/**
 * The fused elementwise template: one thread per output element computes the whole fused
 * expression (elementwise, broadcast and data-movement ops, pooling windows, batch norm, noise)
 * from the kernel's inputs and writes it once.
 */
import { numel } from '../../../compiler/core/ir/types.ts';
import { staticShape } from '../wgsl-util.ts';
import { grid1d, LINEAR_WORKGROUP, storeRoot, unflatten, type Template } from './template.ts';

const WORKGROUP = 256;

export const elementwiseTemplate: Template = (args) => {
  const { w, root } = args;
  const shape = staticShape(root);
  const total = numel(shape);
  w.line(`let e = (${LINEAR_WORKGROUP}) * ${WORKGROUP}u + lid.x;`);
  w.line(`if (e >= ${total}u) { return; }`);
  storeRoot(w, args, unflatten(w, 'e', shape));
  return {
    workgroupSize: WORKGROUP,
    workgroups: grid1d(Math.ceil(total / WORKGROUP), args.caps),
    params: {},
    flops: 0,
  };
};
