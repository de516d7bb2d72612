/**
 * Runs an emitted module in the interpreter with inputs by parameter name and weights by path, in
 * the argument order of its manifest (bf16 arguments are rounded as a bf16 buffer would hold them).
 * This is how tests, and `denoc` without XLA, execute the StableHLO target.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { EmitResult, ManifestTensor } from '../../targets/stablehlo/emit.ts';
import { interpretModule } from './interpret.ts';
import { makeTensor, type HloTensor } from './interpret-tensor.ts';
import { parseStableHLO } from './parse.ts';
import { elemOfDType, ttype } from '../../targets/stablehlo/types.ts';

export function runEmitted(
  emitted: EmitResult,
  inputs: Readonly<Record<string, ArrayLike<number>>>,
  weights: ReadonlyMap<string, ArrayLike<number>> = new Map(),
): HloTensor[] {
  const arg = (t: ManifestTensor, data: ArrayLike<number> | undefined, what: string): HloTensor => {
    if (!data) fail('HLO0302', `missing ${what} '${t.name}' for the StableHLO module`);
    return makeTensor(ttype(elemOfDType(t.dtype), t.shape), data);
  };
  const { manifest } = emitted;
  const args = [
    ...manifest.inputs.map((t) => arg(t, inputs[t.name], 'input')),
    ...manifest.weights.map((t) => arg(t, weights.get(t.name), 'weight')),
  ];
  return interpretModule(parseStableHLO(emitted.text), args, manifest.entry);
}
