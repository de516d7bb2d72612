/**
 * The StableHLO target: the whole sampler as one XLA module (emit), its artifacts for JAX
 * (writeStableHLOArtifacts), a parser and interpreter that run the emitted text for verification,
 * and a TPU roofline cost model.
 */
export { emitStableHLO, type EmitResult, type ManifestTensor, type StableHLOManifest } from './emit.ts';
export { writeStableHLOArtifacts, TOLERANCE, type ArtifactOptions, type ArtifactResult } from './artifacts.ts';
export { resolveOptions, type StableHLOOptions, type HloPrecision, type HloTile } from './options.ts';
export { LOWERINGS, loweringOf } from './lowerings.ts';
export { parseStableHLO, type HloModule } from './parse.ts';
export { interpretModule, runStableHLO, type HloTensor } from './interpret.ts';
export { makeTensor } from './interpret-tensor.ts';
export { estimateTpuCost, tpuCostReport, TPU_V4, type TpuChip, type TpuCostOptions, type TpuCostSummary } from './tpu-cost.ts';
export { runEmitted } from './run.ts';
