/**
 * `denoc train FILE --task classify`: trains a classifier of the file on Fashion-MNIST's 60000 training
 * images with the compiled classification step (api/classify.ts; softmax cross-entropy, Adam with a
 * cosine-decayed learning rate, EMA), prints training loss and accuracy and the accuracy on the 10000
 * test images after every epoch, and writes the weights (.safetensors, f32 or f16).
 *
 *   TRN0903 --task classify with data other than fashion-mnist, or with the tape engine
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import type { ModelArtifact } from '../../dsl/index.ts';
import { classifierForward, classifierStepRunner } from '../../api/classify.ts';
import { trainClassifier, type EpochReport } from '../../runtime/train/classify.ts';
import { loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';
import { saveWeightsFile } from '../../runtime/weights/files.ts';
import { parseIntOption } from '../options.ts';
import { ProgressBar } from '../progress.ts';

export interface ClassifyCliOptions {
  readonly data: string;
  readonly dataDir: string;
  readonly epochs: string;
  readonly batch: string;
  readonly seed: string;
  readonly engine: string;
  readonly out: string;
  readonly dtype: string;
  readonly progress: boolean;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

function epochLine(r: EpochReport): string {
  return `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, train accuracy ${pct(r.trainAccuracy)}, test accuracy ${pct(r.testAccuracy)} (${r.seconds.toFixed(1)} s)\n`;
}

/** Trains `model` as a classifier; `lr` and `emaDecay` are parsed by the caller (shared with the diffusion task). */
export async function trainClassifierCommand(model: ModelArtifact, o: ClassifyCliOptions, lr: number, emaDecay: number): Promise<void> {
  if (o.data !== 'fashion-mnist') fail('TRN0903', `--task classify trains on labelled images: --data fashion-mnist, not '${o.data}'`);
  if (o.engine === 'tape')
    fail(
      'TRN0903',
      '--task classify runs the compiled training step',
      undefined,
      'pass --engine onnx (fastest) or --engine graph (the reference executor)',
    );
  if (o.dtype !== 'f32' && o.dtype !== 'f16') fail('TRN0903', `--dtype must be f32 or f16, got '${o.dtype}'`);
  const epochs = parseIntOption('--epochs', o.epochs, 1);
  const batch = parseIntOption('--batch', o.batch, 1);
  const seed = parseIntOption('--seed', o.seed, 0);
  const train = loadFashionMnist('train', o.dataDir);
  const test = loadFashionMnist('t10k', o.dataDir);
  const runner = classifierStepRunner(o.engine === 'onnx' ? 'onnx' : 'reference', model, batch, { lr, emaDecay, lrInput: true });
  const forward = classifierForward(model);
  process.stderr.write(
    `training classifier ${model.name} on fashion-mnist (${train.count} images, ${epochs} epochs of batch ${batch}) with engine ${runner.engine}\n`,
  );
  let bar: ProgressBar | undefined;
  let recent = NaN;
  let result: Awaited<ReturnType<typeof trainClassifier>>;
  try {
    result = await trainClassifier({
      model,
      train,
      test,
      runner,
      classify: async (w, x, n) => (await forward(w, x, n))[0],
      epochs,
      batch,
      seed,
      lr,
      emaDecay,
      onStep: (done, total, loss) => {
        recent = Number.isNaN(recent) ? loss : 0.98 * recent + 0.02 * loss;
        bar ??= new ProgressBar({
          total,
          enabled: o.progress,
          get label() {
            return `steps, loss ${recent.toPrecision(3)}`;
          },
        });
        bar.update(done);
      },
      onEpoch: (r) => process.stdout.write(epochLine(r)),
    });
  } finally {
    bar?.done();
  }
  const last = result.epochs.at(-1)!;
  saveWeightsFile(o.out, result.weights, {
    dtype: o.dtype,
    metadata: {
      producer: 'denoc train --task classify',
      model: model.name,
      data: 'fashion-mnist',
      epochs: String(epochs),
      seed: String(seed),
      testAccuracy: last.testAccuracy.toFixed(4),
    },
  });
  process.stdout.write(
    `trained ${model.name}: test accuracy ${pct(last.testAccuracy)} after ${epochs} epochs (${result.seconds.toFixed(1)} s); wrote ${o.out}\n`,
  );
}
