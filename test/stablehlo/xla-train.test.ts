// The training step on real XLA, data parallel: api/train-xla.ts writes the step (emitted with the batch
// split over a mesh of 4 devices) and every step's draws, scripts/xla-train.py runs it with JAX on 4 host
// CPU devices (XLA_FLAGS=--xla_force_host_platform_device_count=4) and on 1, and the loss curves are
// compared with each other and with onnxruntime's from the same draws. Skipped without a Python with JAX
// (scripts/jax-python.ts); xla.test.ts makes that a failure under DENOC_REQUIRE_XLA=1.
//
// Tolerances. 4 devices vs 1: the partitioned step sums the loss and each gradient as four partial sums
// and an all-reduce instead of one sum over the batch, a different f32 rounding order (2^-24 ≈ 6e-8 per
// operation) that Adam carries into the next steps; measured on mlp2d over 20 steps: losses 1.0e-7 relative,
// final weights 1.4e-7 of the largest; bound 1e-5. XLA vs onnxruntime: different kernels and summation
// orders for every op; measured losses 1.4e-7, weights 1.7e-6; bound 1e-4.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onnxStepRunner } from '../../api/train.ts';
import {
  emitXlaStep,
  readXlaTrainedWeights,
  readXlaTrainingResult,
  writeXlaTrainingRun,
  type XlaRun,
  type XlaTrainingOptions,
  type XlaTrainingResult,
} from '../../api/train-xla.ts';
import { xlaStepRunner } from '../../api/xla-step-runner.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import { compileFile } from '../../dsl/index.ts';
import { openDataSource } from '../../runtime/train/data.ts';
import { FASHION_MNIST_DIR } from '../../runtime/train/fashion-mnist.ts';
import { trainDenoiser } from '../../runtime/train/trainer.ts';
import { trainingSpec } from '../../runtime/train/training-spec.ts';
import { findJaxPython } from '../../scripts/jax-python.ts';
import { denoc, runProcess } from '../helpers/process.ts';

const python = findJaxPython();
// inherited by the driver's process; each test file runs in its own fork
process.env.XLA_FLAGS = `${process.env.XLA_FLAGS ?? ''} --xla_force_host_platform_device_count=4`.trim();

type Options = Omit<XlaTrainingOptions, 'devices'>;

function options(file: string, data: string, batch: number, steps: number, lr: number): Options {
  const program = compileFile(file);
  const model = program.models[0];
  return { model, spec: trainingSpec(model, program.samplers), data: openDataSource(data), steps, batch, lr, seed: 3, emaDecay: 0.99 };
}

interface XlaOutcome {
  readonly run: XlaRun;
  readonly result: XlaTrainingResult;
  readonly weights: WeightSet;
}

interface OnnxOutcome {
  readonly losses: readonly number[];
  readonly weights: WeightSet;
}

async function xlaTrain(o: Options, devices: number): Promise<XlaOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-xla-train-'));
  const run = writeXlaTrainingRun({ ...o, devices }, dir);
  const r = await runProcess(python!, ['scripts/xla-train.py', dir, '--platform', 'cpu'], 600_000);
  if (r.code !== 0) throw new Error(`xla-train.py failed (${r.code}):\n${r.out}${r.err}`);
  return { run, result: readXlaTrainingResult(dir), weights: readXlaTrainedWeights(dir) };
}

async function onnxRun(o: Options): Promise<OnnxOutcome> {
  const compiled = onnxStepRunner(o.model, { spec: o.spec, batch: o.batch, lr: o.lr, emaDecay: o.emaDecay });
  return trainDenoiser({ ...o, compiled });
}

/** Largest |a − b| over every weight, relative to the largest |b|. */
function weightDifference(a: WeightSet, b: WeightSet): number {
  let diff = 0,
    scale = 0;
  for (const [path, t] of b) {
    const other = a.get(path)!.data;
    t.data.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(other[i] - v));
      scale = Math.max(scale, Math.abs(v));
    });
  }
  return diff / scale;
}

const maxRelative = (a: readonly number[], b: readonly number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.abs(b[i])));

/** The checks every model gets: what the 4-device run did, and the three loss curves against each other. */
function dataParallelChecks(
  label: string,
  load: () => Promise<[XlaOutcome, XlaOutcome, OnnxOutcome]>,
  expected: { devices: number; onnx: number; allReducedValues: 'every gradient' | 'most gradients' },
) {
  describe(label, () => {
    let one: XlaOutcome, four: XlaOutcome, onnx: OnnxOutcome;
    beforeAll(async () => {
      [one, four, onnx] = await load();
    }, 900_000);

    it('runs on 4 devices with a quarter of the batch on each and the state replicated', () => {
      const { run, result } = four;
      expect(result.platform).toBe('cpu');
      expect(result.devices).toBe(4);
      expect(result.shardShapes.x0[0]).toBe(run.batch / 4);
      expect(result.batchShardings.x0).toMatch(/^\{devices=\[4(,1)*\]/);
      expect(result.replicatedInputs).toBe(run.state.length + 1);
      expect(one.result.devices).toBe(1);
      expect(one.result.shardShapes.x0[0]).toBe(run.batch);
    });

    it("all-reduces every weight's gradient and the loss, and the devices' copies of the state stay identical", () => {
      const weights = four.run.state.filter((s) => s.startsWith('w:')).length;
      expect(four.result.allReduces).toBeGreaterThan(0);
      // every gradient of mlp2d and the loss; on unet_small the partitioner handles a few otherwise (89 of 92)
      if (expected.allReducedValues === 'every gradient') expect(four.result.allReducedValues).toBe(weights + 1);
      else expect(four.result.allReducedValues).toBeGreaterThan(weights / 2);
      expect(four.result.allReducedValues).toBeLessThanOrEqual(weights + 1);
      expect(one.result.allReduces).toBe(0);
      expect(four.result.replicaSpread).toBe(0);
    });

    it(`gives the 1-device loss curve and weights within ${expected.devices} relative`, () => {
      expect(four.result.losses).toHaveLength(four.run.steps);
      expect(maxRelative(four.result.losses, one.result.losses)).toBeLessThanOrEqual(expected.devices);
      expect(weightDifference(four.weights, one.weights)).toBeLessThanOrEqual(expected.devices);
    });

    it(`gives onnxruntime's loss curve from the same draws within ${expected.onnx} relative`, () => {
      expect(onnx.losses).toHaveLength(four.run.steps);
      expect(maxRelative(four.result.losses, onnx.losses)).toBeLessThanOrEqual(expected.onnx);
      expect(maxRelative(one.result.losses, onnx.losses)).toBeLessThanOrEqual(expected.onnx);
    });

    it(`ends with onnxruntime's trained weights (the EMA) within ${expected.onnx} of their largest magnitude`, () => {
      expect([...four.weights.keys()].sort()).toEqual([...onnx.weights.keys()].sort());
      expect(weightDifference(four.weights, onnx.weights)).toBeLessThanOrEqual(expected.onnx);
    });
  });
}

describe.skipIf(!python)('the training step on XLA, data parallel over 4 host devices (JAX)', () => {
  dataParallelChecks(
    'mlp2d, batch 64, 20 steps',
    async () => {
      const mlp = options('examples/mlp2d.dn', 'moons', 64, 20, 2e-3);
      return [await xlaTrain(mlp, 1), await xlaTrain(mlp, 4), await onnxRun(mlp)];
    },
    { devices: 1e-5, onnx: 1e-4, allReducedValues: 'every gradient' },
  );

  // ~2.5 minutes on 2 cores: XLA:CPU compiles the unet step in ~40 s per device count
  describe.skipIf(!existsSync(FASHION_MNIST_DIR))('needs Fashion-MNIST (Debian: dataset-fashion-mnist)', () => {
    dataParallelChecks(
      'unet_small, batch 8, 3 steps',
      async () => {
        const unet = options('examples/unet_small.dn', 'fashion-mnist', 8, 3, 1e-3);
        return [await xlaTrain(unet, 1), await xlaTrain(unet, 4), await onnxRun(unet)];
      },
      { devices: 1e-4, onnx: 1e-4, allReducedValues: 'most gradients' },
    );
  });

  describe("as the trainer's engine (xlaStepRunner: one JAX process, a step per request)", () => {
    const mlp = () => options('examples/mlp2d.dn', 'moons', 64, 5, 2e-3);
    const driver = { python: python!, script: 'scripts/xla-train.py', platform: 'cpu' };

    it('trains mlp2d on 4 devices with the losses and weights of onnxruntime (1e-4)', async () => {
      const o = mlp();
      const runner = xlaStepRunner(o.model, { ...o, devices: 4 }, driver);
      try {
        const xla = await trainDenoiser({ ...o, compiled: runner });
        const onnx = await onnxRun(o);
        expect(runner.engine).toBe('graph/xla-cpux4');
        expect(xla.losses).toHaveLength(5);
        expect(maxRelative(xla.losses, onnx.losses)).toBeLessThanOrEqual(1e-4);
        expect(weightDifference(xla.weights, onnx.weights)).toBeLessThanOrEqual(1e-4);
      } finally {
        runner.close();
      }
    });

    it('is `denoc train --engine xla --devices 4`: the first line names it and the weights are written', async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'denoc-xla-train-')), 'w.safetensors');
      const args = ['--data', 'moons', '--steps', '3', '--batch', '64', '--engine', 'xla', '--devices', '4', '--eval', '0', '--no-progress'];
      const r = await denoc('train', 'examples/mlp2d.dn', ...args, '--out', out);
      expect(r.code, r.err).toBe(0);
      expect(r.err.split('\n')[0]).toContain('with engine graph/xla-cpux4');
      expect(existsSync(out)).toBe(true);
    });

    it('reports a driver that fails to start as TRN0607 with its error output', async () => {
      const o = mlp();
      const runner = xlaStepRunner(o.model, { ...o, devices: 4 }, { ...driver, script: 'scripts/no-such-driver.py' });
      await expect(trainDenoiser({ ...o, steps: 1, compiled: runner })).rejects.toThrow(/TRN0607.*ended with code 2[\s\S]*no-such-driver/);
    });
  });

  it('the driver refuses a run partitioned for more devices than XLA has, and says how to get them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'denoc-xla-train-'));
    writeXlaTrainingRun({ ...options('examples/mlp2d.dn', 'moons', 64, 1, 2e-3), devices: 8 }, dir);
    const r = await runProcess(python!, ['scripts/xla-train.py', dir, '--platform', 'cpu']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('--xla_force_host_platform_device_count=8');
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
  });
});

it('refuses a batch that does not split over the devices (TRN0605)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-xla-train-'));
  expect(() => writeXlaTrainingRun({ ...options('examples/mlp2d.dn', 'moons', 62, 1, 2e-3), devices: 4 }, dir)).toThrow(/TRN0605.*multiple of 4/);
});

// Every op of these steps (forward, VJPs, Adam, EMA) has a StableHLO lowering; XLA runs mlp2d's and unet_small's above.
it.each(['mlp2d', 'unet_small', 'dit_tiny', 'unet_context'])('emits the training step of %s with its batch split over 2 devices', (name) => {
  const program = compileFile(`examples/${name}.dn`);
  const model = program.models[program.models.length - 1];
  const step = emitXlaStep({ model, spec: trainingSpec(model, program.samplers), batch: 4, lr: 1e-3, emaDecay: 0.99, devices: 2 });
  expect(step.text).toContain('sdy.mesh @mesh = <["data"=2]>');
  expect(step.manifest.inputs.filter((t) => step.batchInputs.includes(t.name)).every((t) => t.shape[0] === 4)).toBe(true);
  expect(step.manifest.outputs).toHaveLength(step.state.length + 1);
});
