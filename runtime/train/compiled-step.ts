/**
 * One training update by a compiled step graph (compiler/training/step.ts) on whichever engine runs it:
 * the trainer packs the weights, Adam's moments, the EMA and the batch into the graph's inputs by name,
 * and copies the updated state back. The engine is behind `StepRunner`, so the runtime only reads the
 * compiled artifact; the driver (api/train.ts) compiles it and chooses the engine.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { AdamState } from './adam.ts';

export type StepInputs = Record<string, Float32Array | Int32Array>;

export interface StepRunner {
  /** The engine, as the trainer reports it (e.g. 'reference/wasm', 'onnx'). */
  readonly engine: string;
  /** Weight paths in the order of the graph's w/m/v/ema inputs and outputs. */
  readonly paths: readonly string[];
  readonly withEma: boolean;
  /** Runs the step: outputs w'…, m'…, v'…, [ema'…], loss. */
  run(inputs: StepInputs): Promise<Float32Array[]>;
}

/** The batch part of a step's inputs: x0, noise, the levels, the time input and any conditioning. */
export interface StepBatch {
  readonly x0: Float32Array;
  readonly noise: Float32Array;
  readonly alpha: Float64Array;
  readonly sigma: Float64Array;
  readonly t: Float32Array;
  readonly cond: Readonly<Record<string, Int32Array>>;
}

/**
 * Applies one compiled update to `weights` and `state` in place (state.step counts it); returns the
 * loss. `paths` is the trainer's order of `weights`.
 */
export async function compiledUpdate(
  runner: StepRunner,
  paths: readonly string[],
  weights: readonly Float32Array[],
  state: AdamState,
  batch: StepBatch,
): Promise<number> {
  const inputs: StepInputs = {
    x0: batch.x0,
    noise: batch.noise,
    alpha: Float32Array.from(batch.alpha),
    sigma: Float32Array.from(batch.sigma),
    t: batch.t,
    ...batch.cond,
  };
  const [loss] = await applyUpdate(runner, paths, weights, state, inputs);
  return loss[0];
}

/**
 * Runs the step on `batchInputs` plus the weights, moments, EMA and step counter, copies the updated
 * state back into `weights` and `state`, and returns the step's outputs after the state (its loss, …).
 */
export async function applyUpdate(
  runner: StepRunner,
  paths: readonly string[],
  weights: readonly Float32Array[],
  state: AdamState,
  batchInputs: StepInputs,
): Promise<Float32Array[]> {
  const slot = new Map(paths.map((p, i) => [p, i]));
  const inputs: StepInputs = { ...batchInputs, step: Float32Array.of(state.step + 1) };
  for (const p of runner.paths) {
    const i = slot.get(p) ?? fail('TRN0103', `the compiled step updates weight '${p}', which the model has no value for`);
    inputs[`w:${p}`] = weights[i];
    inputs[`m:${p}`] = state.m[i];
    inputs[`v:${p}`] = state.v[i];
    if (runner.withEma && state.ema) inputs[`ema:${p}`] = state.ema[i];
  }
  const outs = await runner.run(inputs);
  const n = runner.paths.length;
  runner.paths.forEach((p, k) => {
    const i = slot.get(p)!;
    weights[i].set(outs[k]);
    state.m[i].set(outs[n + k]);
    state.v[i].set(outs[2 * n + k]);
    if (runner.withEma && state.ema) state.ema[i].set(outs[3 * n + k]);
  });
  state.step += 1;
  return outs.slice((runner.withEma ? 4 : 3) * n);
}
