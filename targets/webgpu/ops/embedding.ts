/**
 * WGSL expression for timestep_embedding: [cos(t·f_k)…, sin(t·f_k)…], the frequencies f_k computed
 * at compile time by the core op's own formula and emitted as a module constant array.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import { embeddingFrequencies } from '../../../compiler/core/ops/embedding.ts';
import type { KernelWriter } from '../wgsl.ts';
import { lit } from '../wgsl-util.ts';
import { expr, type LoweringTable, TRIG_WGSL } from '../lower-context.ts';

function emitTimestepEmbedding(w: KernelWriter, node: Node, idx: readonly string[]): string {
  w.helper('trig', TRIG_WGSL);
  const dim = node.attrs.dim as number;
  const half = dim / 2;
  const freqs = embeddingFrequencies(dim, node.attrs.maxPeriod as number);
  const table = w.moduleConst(node, (n) => `const ${n} = array<f32, ${half}>(${Array.from(freqs, (f) => lit(f, 'f32')).join(', ')});`);
  const t = w.value(node.inputs[0], [idx[0]]);
  const j = idx[1];
  const first = w.let(`${j} < ${half}u`, 'h');
  const k = w.let(`select(${j} - ${half}u, ${j}, ${first})`, 'k');
  const a = w.let(`${t} * ${table}[${k}]`, 'a');
  return `select(sin_s(${a}), cos_s(${a}), ${first})`;
}

export const EMBEDDING_LOWERINGS: LoweringTable = {
  timestep_embedding: expr(emitTimestepEmbedding),
};
