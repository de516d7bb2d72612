/**
 * The pictures a training run leaves behind: the loss curve (per-step losses averaged into at most
 * MAX_POINTS bins, with a moving average over WINDOW steps on top, log scale) and, for 2-D data, a
 * scatter plot of samples over held-out data.
 */
import { linePlot, scatterPlot, type LineSeries } from './render/png.ts';

const MAX_POINTS = 1000;
const WINDOW = 100;

/** Means of consecutive runs of `size` losses, at the step that ends each run. */
function binned(losses: readonly number[], size: number): LineSeries {
  const x: number[] = [],
    y: number[] = [];
  for (let start = 0; start < losses.length; start += size) {
    const part = losses.slice(start, start + size);
    x.push(start + part.length);
    y.push(part.reduce((s, v) => s + v, 0) / part.length);
  }
  return { name: size === 1 ? 'loss' : `loss (mean of ${size} steps)`, x, y };
}

/** The trailing mean of WINDOW steps, sampled like the bins. */
function movingAverage(losses: readonly number[], every: number): LineSeries {
  const x: number[] = [],
    y: number[] = [];
  let sum = 0;
  losses.forEach((v, i) => {
    sum += v - (i >= WINDOW ? losses[i - WINDOW] : 0);
    if ((i + 1) % every === 0 || i === losses.length - 1) {
      x.push(i + 1);
      y.push(sum / Math.min(i + 1, WINDOW));
    }
  });
  return { name: `moving average (${WINDOW} steps)`, x, y };
}

export function lossCurvePng(losses: readonly number[], title: string): Uint8Array {
  const size = Math.max(1, Math.ceil(losses.length / MAX_POINTS));
  return linePlot([binned(losses, size), movingAverage(losses, size)], {
    title,
    xLabel: 'step',
    yLabel: 'loss (MSE)',
    logY: true,
    markers: false,
  });
}

export function samplesPng(samples: Float32Array, heldOut: Float32Array, title: string): Uint8Array {
  return scatterPlot(samples, { reference: heldOut, title, labels: ['samples', 'held-out data'] });
}
