/**
 * Lowerings of the broadcasting binary ops: arithmetic, min/max, comparisons, where, broadcast_to.
 * IR broadcasting is numpy-style; StableHLO wants equal shapes, so every operand goes through one
 * `broadcast_in_dim` to the result shape first.
 */
import { broadcastTo, lower, type LowerCtx, type LoweringEntry } from '../lower-context.ts';
import type { BinaryName, CompareDir, Value } from '../writer.ts';

function binary(name: BinaryName): LoweringEntry {
  return lower(({ w, inputs, out }) => w.binary(name, broadcastTo(w, inputs[0], out.shape), broadcastTo(w, inputs[1], out.shape)));
}

function compare(dir: CompareDir): LoweringEntry {
  return lower(({ w, inputs, out }) => w.compare(dir, broadcastTo(w, inputs[0], out.shape), broadcastTo(w, inputs[1], out.shape)));
}

function where({ w, inputs, out }: LowerCtx): Value {
  const [c, a, b] = inputs.map((v) => broadcastTo(w, v, out.shape));
  return w.select(c, a, b);
}

export const BINARY_LOWERINGS: Readonly<Record<string, LoweringEntry>> = {
  add: binary('add'),
  sub: binary('subtract'),
  mul: binary('multiply'),
  div: binary('divide'),
  pow: binary('power'),
  min: binary('minimum'),
  max: binary('maximum'),
  less: compare('LT'),
  greater: compare('GT'),
  equal: compare('EQ'),
  where: lower(where),
  broadcast_to: lower(({ w, inputs, out }) => broadcastTo(w, inputs[0], out.shape)),
};
