/**
 * Training checkpoints: everything a run needs to continue bit for bit, in a folder.
 *
 *   state.json                    {format, step, rng, config, weights, optimizer}: small, written last
 *   step-NNNNNN.weights.safetensors     the weights, by parameter path
 *   step-NNNNNN.optimizer.safetensors   Adam's m.<path>, v.<path>, ema.<path> and the loss history
 *
 * A save writes the step's two tensor files, then replaces state.json by renaming a finished copy
 * over it, then deletes the previous step's files: a run killed at any moment leaves a state.json
 * that names complete files. The RNG needs no state beyond the step (random.ts: draws are keyed by
 * seed and step); `rng` records that for readers.
 *
 *   TRN0501 the checkpoint cannot be read (missing or corrupt files)
 *   TRN0502 the checkpoint belongs to a different run (config or parameters differ)
 *   TRN0503 state.json is larger than LIMITS.checkpointStateBytes
 */
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ensureFolder, writeFileAtomic } from '../../compiler/core/output-file.ts';
import { DenocError, fail } from '../../compiler/core/diagnostics.ts';
import { checkLimit } from '../../compiler/core/limits.ts';
import { loadWeightsFile, saveWeightsFile } from '../weights/files.ts';
import { tensor, type Tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import type { AdamState } from './adam.ts';

const FORMAT = 'denoc-train-checkpoint/1';

/** What identifies a run: resuming with other values would not continue the same run. */
export type RunConfig = Readonly<Record<string, string | number | boolean>>;

export interface Parameters {
  readonly paths: readonly string[];
  readonly shapes: readonly (readonly number[])[];
}

export interface TrainState {
  readonly step: number;
  readonly weights: readonly Float32Array[];
  readonly adam: AdamState;
  /** Loss of every step so far. */
  readonly losses: readonly number[];
}

interface StateFile {
  readonly format: string;
  readonly step: number;
  readonly rng: { readonly generator: string; readonly seed: number; readonly position: number };
  readonly config: RunConfig;
  readonly weights: string;
  readonly optimizer: string;
}

const stepName = (step: number, kind: string): string => `step-${String(step).padStart(6, '0')}.${kind}.safetensors`;

function tensors(params: Parameters, arrays: readonly Float32Array[], prefix = ''): Map<string, Tensor<Float32Array>> {
  return new Map(params.paths.map((p, i) => [prefix + p, tensor(params.shapes[i], arrays[i])]));
}

/** What is wrong with a parsed state.json of the right format, or undefined when its fields are sound. */
function stateProblem(state: StateFile): string | undefined {
  if (!Number.isSafeInteger(state.step) || state.step < 0) return `step ${JSON.stringify(state.step)} is not a whole number >= 0`;
  for (const key of ['weights', 'optimizer'] as const) {
    const name: unknown = state[key];
    // a file name, never a path: the checkpoint's files live in its folder
    if (typeof name !== 'string' || name === '' || basename(name) !== name || name === '..')
      return `${key} ${JSON.stringify(name)} is not a file name`;
  }
  if (typeof state.config !== 'object' || state.config === null || Array.isArray(state.config)) return 'config is not an object';
  return undefined;
}

function readState(dir: string): StateFile | undefined {
  const path = join(dir, 'state.json');
  if (!existsSync(path)) return undefined;
  // a link to a device that never ends, or a file of gigabytes, is refused before it is read
  const info = statSync(path);
  if (!info.isFile()) fail('TRN0501', `${path} is not a regular file`);
  checkLimit('checkpointStateBytes', info.size, path);
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    if (state.format !== FORMAT) fail('TRN0501', `${path} is not a denoc training checkpoint (format ${JSON.stringify(state.format)})`);
    const problem = stateProblem(state);
    if (problem) fail('TRN0501', `${path} is corrupt: ${problem}`);
    return state;
  } catch (e) {
    if (e instanceof DenocError) throw e;
    return fail('TRN0501', `cannot read ${path}: ${(e as Error).message}`);
  }
}

export function saveCheckpoint(dir: string, params: Parameters, state: TrainState, config: RunConfig, seed: number): void {
  ensureFolder(dir);
  const previous = readState(dir);
  const weights = stepName(state.step, 'weights');
  const optimizer = stepName(state.step, 'optimizer');
  saveWeightsFile(join(dir, weights), tensors(params, state.weights));
  const extra = new Map<string, Tensor<Float32Array>>([
    ...tensors(params, state.adam.m, 'm.'),
    ...tensors(params, state.adam.v, 'v.'),
    ...(state.adam.ema ? tensors(params, state.adam.ema, 'ema.') : []),
  ]);
  if (state.losses.length) extra.set('losses', tensor([state.losses.length], Float32Array.from(state.losses)));
  saveWeightsFile(join(dir, optimizer), extra);
  const file: StateFile = {
    format: FORMAT,
    step: state.step,
    rng: { generator: 'philox4x32-10', seed, position: state.step },
    config,
    weights,
    optimizer,
  };
  // state.json names the step's files, so it is replaced whole only after they are written
  writeFileAtomic(join(dir, 'state.json'), JSON.stringify(file, null, 2) + '\n');
  if (previous && previous.step !== state.step) {
    for (const name of [previous.weights, previous.optimizer]) rmSync(join(dir, name), { force: true });
  }
}

/** The step a checkpoint folder holds, or undefined when it has none. */
export function checkpointStep(dir: string): number | undefined {
  return readState(dir)?.step;
}

function differences(saved: RunConfig, config: RunConfig): string[] {
  const keys = [...new Set([...Object.keys(saved), ...Object.keys(config)])];
  return keys
    .filter((k) => saved[k] !== config[k])
    .map((k) => `${k}: ${JSON.stringify(saved[k])} in the checkpoint, ${JSON.stringify(config[k])} now`);
}

function pick(file: WeightSet, params: Parameters, prefix: string, source: string): Float32Array[] {
  return params.paths.map((p, i) => {
    const t = file.get(prefix + p);
    const want = params.shapes[i];
    if (!t || t.shape.length !== want.length || t.shape.some((d, k) => d !== want[k])) {
      fail('TRN0502', `${source}: tensor '${prefix + p}' is ${t ? `[${t.shape.join(', ')}]` : 'missing'}, the model needs [${want.join(', ')}]`);
    }
    return Float32Array.from(t.data);
  });
}

/** Loads a checkpoint of the same run (same config and parameters) or fails saying what differs. */
export function loadCheckpoint(dir: string, params: Parameters, config: RunConfig, withEma: boolean): TrainState {
  const state = readState(dir);
  if (!state) return fail('TRN0501', `no checkpoint in ${dir} (state.json is missing)`);
  const diff = differences(state.config, config);
  if (diff.length) {
    fail(
      'TRN0502',
      `the checkpoint in ${dir} is from a different run: ${diff.join('; ')}`,
      undefined,
      'resume with the same options, or train into a new --checkpoint folder',
    );
  }
  const read = (name: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) fail('TRN0501', `checkpoint file ${path} is missing`);
    return loadWeightsFile(path);
  };
  const optimizer = read(state.optimizer);
  const losses = optimizer.get('losses');
  return {
    step: state.step,
    weights: pick(read(state.weights), params, '', state.weights),
    adam: {
      step: state.step,
      m: pick(optimizer, params, 'm.', state.optimizer),
      v: pick(optimizer, params, 'v.', state.optimizer),
      ema: withEma ? pick(optimizer, params, 'ema.', state.optimizer) : undefined,
    },
    losses: losses ? Array.from(losses.data) : [],
  };
}
