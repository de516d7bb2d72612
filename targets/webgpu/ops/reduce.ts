/**
 * WebGPU lowerings of the reductions: each anchors a row-reduction template (kernels/reduce.ts),
 * reduce for sum/mean/reduce_max/variance and softmax for softmax.
 */
import { type LoweringTable, template } from '../lower-context.ts';

export const REDUCE_LOWERINGS: LoweringTable = {
  sum: template('reduce'),
  mean: template('reduce'),
  reduce_max: template('reduce'),
  variance: template('reduce'),
  softmax: template('softmax'),
};
