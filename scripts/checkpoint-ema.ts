/**
 * The EMA weights of a `denoc train` checkpoint folder as a weights file that `denoc run --weights`
 * and `denoc eval --weights` read: a snapshot of a run still in progress (the teacher is trained
 * across sessions), without stopping or changing the run. Also prints the checkpoint's step.
 *
 *   npx tsx scripts/checkpoint-ema.ts CHECKPOINT_DIR OUT.safetensors [--f16]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../compiler/core/safetensors.ts';
import { saveWeightsFile } from '../runtime/weights/files.ts';

const [dir, out] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!dir || !out) {
  process.stderr.write('usage: npx tsx scripts/checkpoint-ema.ts CHECKPOINT_DIR OUT.safetensors [--f16]\n');
  process.exit(2);
}
const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { step: number; optimizer: string; config: { model: string } };
const optimizer = readSafetensors(readFileSync(join(dir, state.optimizer)), state.optimizer);
const ema = new Map([...optimizer].filter(([name]) => name.startsWith('ema.')).map(([name, t]) => [name.slice(4), t]));
if (ema.size === 0) {
  process.stderr.write(`${dir} holds no EMA (the run was started with --ema 0)\n`);
  process.exit(1);
}
saveWeightsFile(out, ema, {
  dtype: process.argv.includes('--f16') ? 'f16' : 'f32',
  metadata: { producer: 'scripts/checkpoint-ema.ts', model: state.config.model, step: String(state.step), weights: 'ema' },
});
process.stdout.write(`wrote ${out}: the EMA of ${state.config.model} at step ${state.step} (${ema.size} tensors)\n`);
