// Test runner settings: a fork pool keeps tfjs backends and Dawn devices per file. At least two forks: vitest's
// default, one less than the cores, is one on a 2-core machine, and the files, mostly single-threaded
// JavaScript, would leave a core idle while the main process waits on them. Two tiers, run
// together by `npm test` (one invocation, so one closing summary line) or alone with `--project`:
//   unit  everything else: small graphs and narrowed models, in process
//   e2e   full example models, WebGPU and ONNX whole samplers, the StableHLO interpreter on the examples, real XLA,
//         shipped weights, child processes (CLI, plain Node, Python) and the browser
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const E2E = [
  'test/browser/**/*.test.ts',
  'test/webgpu/examples.test.ts',
  // the whole training step of a small UNet compiled to WGSL (~160 pipelines on a software driver)
  'test/webgpu/training.test.ts',
  'test/stablehlo/examples.test.ts',
  'test/stablehlo/xla.test.ts',
  'test/stablehlo/xla-train.test.ts',
  'test/stablehlo/artifacts.test.ts',
  'test/onnx/examples.test.ts',
  'test/reference/examples.test.ts',
  'test/reference/gradients.test.ts',
  'test/autodiff/examples.test.ts',
  // remat on the full unet_small training step (onnxruntime, and the memory analysis)
  'test/training/remat-examples.test.ts',
  // statistical whole-sampler runs (DDPM with 1000 steps, 4096 samples per moment check)
  'test/samplers/stochastic.test.ts',
  // progressive-distillation rounds that train the full mlp2d example
  'test/distill/round.test.ts',
  'test/distill/compiled.test.ts',
  // the command line, whole commands end to end (the e2e tier names the CLI)
  'test/cli/cli.test.ts',
  // the whole CLI surface against the fuzzers' corpus (200 commands, one real training run)
  'test/cli/surface.test.ts',
  'test/onnx/cli.test.ts',
  'test/train/cli.test.ts',
  'test/train/shipped-weights.test.ts',
  'test/distill/cli.test.ts',
  'test/distill/shipped-student.test.ts',
  // denoc eval: the shipped classifier on the real Fashion-MNIST files, and the command
  'test/eval/eval.test.ts',
  'test/eval/cli.test.ts',
  'test/train/classify-cli.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: Math.max(2, availableParallelism() - 1),
    setupFiles: ['test/setup.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E } },
      { extends: true, test: { name: 'e2e', include: E2E } },
    ],
  },
});
