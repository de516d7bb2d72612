/**
 * WebGPU lowering of attention: it anchors the flash-style attention template (kernels/attention.ts),
 * so the score matrix is never stored.
 */
import { type LoweringTable, template } from '../lower-context.ts';

export const ATTENTION_LOWERINGS: LoweringTable = {
  attention: template('attention'),
};
