/**
 * A plain-JS interpreter of the StableHLO text that targets/stablehlo emits: a test oracle (tests,
 * scripts and benches compare emitted modules with the reference executor through it), not part of
 * the product. Real XLA runs the same modules through scripts/xla-check.py.
 */
export { parseStableHLO, type HloModule } from './parse.ts';
export { interpretModule, runStableHLO, type HloTensor } from './interpret.ts';
export { makeTensor } from './interpret-tensor.ts';
export { runEmitted } from './run.ts';
