/**
 * Turns a batch of samples into the PNG a person wants to look at: an image grid or a scatter plot.
 * Samples holding NaN or ±Inf are refused (CLI0041) before anything is drawn, so `denoc run` exits
 * non-zero and writes no PNG instead of an empty plot.
 */
import type { Shape } from '../compiler/core/ir/types.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { firstNonFinite } from '../compiler/core/tensor.ts';
import { imageGrid, scatterPlot } from '../api/render/png.ts';

/**
 * `labels` (the class each sample was asked for): images are drawn one row per class, in the order
 * the classes first appear, each row labelled `y=<class>`.
 */
export function renderSamples(samples: Float32Array, shape: Shape, batch: number, title: string, labels?: Int32Array): Uint8Array {
  const dims = shape.map((d) => (typeof d === 'number' ? d : batch));
  const bad = firstNonFinite(samples);
  if (bad >= 0) {
    const count = samples.reduce((n, v) => (Number.isFinite(v) ? n : n + 1), 0);
    const perSample = samples.length / Math.max(1, dims[0]);
    fail(
      'CLI0041',
      `${count} of ${samples.length} sampled values are NaN or infinite (first in sample ${Math.floor(bad / perSample)}); ` +
        'nothing was written: the weights or the sampler diverged',
    );
  }
  if (dims.length === 4) {
    const [n, c, h, w] = dims;
    if (labels && labels.length === n) return classRows(samples, labels, [n, c, h, w]);
    return imageGrid(samples, { n, c, h, w, cols: Math.ceil(Math.sqrt(n)), scale: 3, range: [-1, 1] });
  }
  if (dims.length === 2 && dims[1] === 2) return scatterPlot(samples, { size: 512, title });
  return fail('CLI0040', `cannot draw samples of shape [${dims.join(',')}]: expected [B,C,H,W] images or [B,2] points`);
}

/** One row per class (classes in order of first appearance); rows shorter than the longest end in white tiles. */
function classRows(samples: Float32Array, labels: Int32Array, [, c, h, w]: readonly number[]): Uint8Array {
  const classes = [...new Set(labels)];
  const members = classes.map((k) => [...labels.keys()].filter((i) => labels[i] === k));
  const cols = Math.max(...members.map((m) => m.length));
  const size = c * h * w;
  const tiled = new Float32Array(classes.length * cols * size).fill(1);
  members.forEach((m, r) => {
    m.forEach((i, j) => {
      tiled.set(samples.subarray(i * size, (i + 1) * size), (r * cols + j) * size);
    });
  });
  return imageGrid(tiled, { n: classes.length * cols, c, h, w, cols, scale: 3, range: [-1, 1], rowLabels: classes.map((k) => `y=${k}`) });
}
