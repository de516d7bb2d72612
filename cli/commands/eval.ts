/**
 * `denoc eval`: measures N images against the 10000 Fashion-MNIST test images in the feature space of
 * the shipped classifier (api/eval.ts, docs/quality.md): Fréchet distance, precision, recall and, for
 * class-conditional samples, class agreement, each printed next to its floors (N training images,
 * N noise images). The images come from a safetensors file (--images) or are drawn by a sampler of a
 * .dn file (FILE, --sampler, --weights, --n, --batch, --classes), clipped to [-1, 1] as rendering does.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { compileSampler } from '../../compiler/compile.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { checkImages, evaluateImages, type EvalReport, type Scores } from '../../api/eval.ts';
import { FASHION_MNIST_DIR, loadFashionMnist } from '../../runtime/train/fashion-mnist.ts';
import { loadWeightsFile } from '../../runtime/weights/files.ts';
import { executeSampler } from '../execute.ts';
import { loadProgram, loadWeights, pickModel, pickSampler } from '../load.ts';
import { parseClassList, parseIntOption } from '../options.ts';

interface EvalCliOptions {
  images?: string;
  sampler?: string;
  weights?: string;
  n: string;
  batch: string;
  classes?: string;
  target: string;
  seed: string;
  classifier: string;
  classifierWeights: string;
  dataDir: string;
  k: string;
  progress: boolean;
}

const fromRepo = (path: string): string => fileURLToPath(new URL(`../../${path}`, import.meta.url));

interface Images {
  readonly images: Float32Array;
  readonly labels?: Int32Array;
  readonly source: string;
}

/** The `images` tensor of a safetensors file (or its only tensor), and its `labels` when present. */
function readImages(file: string): Images {
  if (!existsSync(file)) fail('CLI0004', `cannot read images '${file}': no such file`);
  const tensors = loadWeightsFile(file);
  const named = tensors.get('images') ?? ([...tensors.values()].length === 1 ? [...tensors.values()][0] : undefined);
  const t = named ?? fail('EVL0011', `${file} holds ${[...tensors.keys()].join(', ') || 'no tensors'}: name the images tensor 'images'`);
  const n = checkImages(t.shape, t.data, `${file}: images`);
  const l = tensors.get('labels');
  return { images: t.data, labels: l ? Int32Array.from(l.data) : undefined, source: `${n} images of ${file}` };
}

/** N images drawn by a sampler in chunks of `batch` (chunk i with seed + i), with the classes asked for. */
async function drawImages(file: string, o: EvalCliOptions, n: number, seed: number): Promise<Images> {
  const program = loadProgram(file);
  const sampler = pickSampler(program, o.sampler);
  const model = pickModel(program, sampler.modelName);
  const shape = tensorOf(sampler.graph.outputs[0]).shape;
  if (shape.length !== 4) fail('EVL0001', `sampler ${sampler.name} draws [${shape.join(', ')}], not images`);
  const weights = loadWeights(model, o.weights, seed);
  if (weights.random) process.stderr.write(`note: no --weights given: ${model.name} has seeded random weights\n`);
  const graph = compileSampler(sampler.graph);
  const conditional = graph.params.some((p) => tensorOf(p).dtype === 'i32' && tensorOf(p).shape.length === 1);
  const batch = Math.min(n, parseIntOption('--batch', o.batch, 1));
  const images = new Float32Array(n * 28 * 28);
  const labels = new Int32Array(n);
  for (let start = 0, chunk = 0; start < n; start += batch, chunk++) {
    const size = Math.min(batch, n - start);
    process.stderr.write(`drawing images ${start + 1}–${start + size} of ${n} (${sampler.name}, ${sampler.steps} steps)\n`);
    const out = await executeSampler(graph, {
      target: o.target,
      backend: 'wasm',
      batch: size,
      seed: seed + chunk,
      weights: weights.weights,
      classes: conditional ? o.classes : undefined,
      progress: o.progress,
      steps: sampler.steps,
    });
    checkImages([size, ...shape.slice(1).map(Number)], new Float32Array(0), `the samples of ${sampler.name}`);
    // samples are clipped to the image range, as rendering them to a PNG does
    images.set(
      out.map((v) => (Number.isNaN(v) ? v : Math.max(-1, Math.min(1, v)))),
      start * 28 * 28,
    );
    if (conditional) labels.set(parseClassList(o.classes, size), start);
  }
  return { images, labels: conditional ? labels : undefined, source: `${n} samples of ${sampler.name} (${sampler.steps} steps)` };
}

const cell = (v: number | undefined, digits: number): string => (v === undefined ? '—' : v.toFixed(digits)).padStart(13);

function table(r: EvalReport): string {
  const cols: [string, Scores][] = [
    ['images', r.generated],
    ['train floor', r.trainFloor],
    ['noise', r.noise],
  ];
  const row = (name: string, pick: (s: Scores) => number | undefined, digits: number): string =>
    `${name.padEnd(18)}${cols.map(([, s]) => cell(pick(s), digits)).join('')}\n`;
  return (
    `${''.padEnd(18)}${cols.map(([c]) => c.padStart(13)).join('')}\n` +
    row('FD', (s) => s.fd, 3) +
    row('precision', (s) => s.precision, 3) +
    row('recall', (s) => s.recall, 3) +
    (r.generated.agreement === undefined ? '' : row('class agreement', (s) => s.agreement, 3))
  );
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('measure N images against the Fashion-MNIST test set: Fréchet distance, precision/recall, class agreement, with floors')
    .argument('[file]', 'a .dn file whose sampler draws the images (instead of --images)')
    .option('--images <file>', "images to measure (.safetensors: tensor 'images' N×1×28×28 in [-1, 1], optional 'labels')")
    .option('--sampler <name>', 'FILE: which sampler draws the images (default: the last one)')
    .option('--weights <file>', "FILE: the sampler's model weights (.safetensors)")
    .option('--n <count>', 'FILE: number of images to draw', '1000')
    .option('--batch <n>', 'FILE: images per sampler run', '100')
    .option('--classes <list>', 'FILE: class labels for class-conditional models, cycled (default 0..9)')
    .option('--target <name>', 'FILE: where the sampler runs: reference | onnx | webgpu', 'onnx')
    .option('--seed <n>', 'seed of the sampler noise and of the floors', '0')
    .option('--classifier <file>', 'the feature network (.dn)', fromRepo('examples/fmnist_classifier.dn'))
    .option('--classifier-weights <file>', 'its weights', fromRepo('examples/weights/fmnist-classifier.safetensors'))
    .option('--data-dir <dir>', 'folder of the Fashion-MNIST IDX .gz files', FASHION_MNIST_DIR)
    .option('--k <n>', 'neighbours of the precision/recall balls', '3')
    .option('--no-progress', 'do not draw a progress bar while sampling')
    .action(async (file: string | undefined, o: EvalCliOptions) => {
      if ((file === undefined) === (o.images === undefined))
        fail('EVL0010', 'give either --images FILE or a .dn file to draw the images from, not both or neither');
      const seed = parseIntOption('--seed', o.seed, 0);
      const k = parseIntOption('--k', o.k, 1);
      // a bad images file fails before the data and the classifier are loaded
      const input = o.images ? readImages(o.images) : await drawImages(file!, o, parseIntOption('--n', o.n, 2 * k + 1), seed);
      const classifier = pickModel(loadProgram(o.classifier));
      const weights = loadWeights(classifier, o.classifierWeights, 0).weights;
      const test = loadFashionMnist('t10k', o.dataDir);
      const train = loadFashionMnist('train', o.dataDir);
      const t0 = performance.now();
      const report = await evaluateImages({
        classifier,
        weights,
        images: input.images,
        labels: input.labels,
        test,
        train,
        seed,
        k,
        onStage: (s) => process.stderr.write(`eval: ${s}\n`),
      });
      process.stdout.write(
        `${input.source} against the ${test.count} Fashion-MNIST test images ` +
          `(features: ${classifier.name}'s penultimate layer; precision/recall with k = ${k} against the first ${report.n} test images; ` +
          `${((performance.now() - t0) / 1000).toFixed(1)} s)\n${table(report)}`,
      );
    });
}
