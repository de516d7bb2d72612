/**
 * The structural ops, which the plan handles itself rather than a kernel: leaves become buffers or
 * inlined constants, loops become recorded steps, fused kernels become one shader each.
 */
import type { LoweringTable } from '../lower-context.ts';

export const STRUCTURAL_LOWERINGS: LoweringTable = {
  param: { kind: 'structural', why: 'a graph input: an input buffer written before the run' },
  weight: { kind: 'structural', why: 'uploaded once per session into its own buffer' },
  constant: { kind: 'structural', why: 'small ones are inlined into kernels, tables become buffers or per-step uniforms' },
  loop: { kind: 'structural', why: 'the plan records the body once per step with ping-pong carried buffers' },
  tuple_get: { kind: 'structural', why: 'aliases the carried buffer that holds the final value' },
  kernel: { kind: 'structural', why: 'a fused kernel: its region is generated as one WGSL shader' },
};
