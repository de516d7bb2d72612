/**
 * The StableHLO target: the whole sampler as one XLA module (emit), its artifacts for JAX
 * (writeStableHLOArtifacts) and a TPU roofline cost model. The parser and interpreter that run the
 * emitted text for verification are a test oracle, in tools/stablehlo-interpreter/.
 */
export { emitStableHLO, type EmitResult, type ManifestTensor, type StableHLOManifest } from './emit.ts';
export { writeStableHLOArtifacts, TOLERANCE, type ArtifactOptions, type ArtifactResult } from './artifacts.ts';
export { resolveOptions, type StableHLOOptions, type HloPrecision, type HloTile } from './options.ts';
export { LOWERINGS, loweringOf } from './lowerings.ts';
export { estimateTpuCost, tpuCostReport, TPU_V4, type TpuChip, type TpuCostOptions, type TpuCostSummary } from './tpu-cost.ts';
