/** Turns a batch of samples into the PNG a person wants to look at: an image grid or a scatter plot. */
import type { Shape } from '../compiler/core/ir/types.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { imageGrid, scatterPlot } from '../api/render/png.ts';

export function renderSamples(samples: Float32Array, shape: Shape, batch: number, title: string): Uint8Array {
  const dims = shape.map((d) => (typeof d === 'number' ? d : batch));
  if (dims.length === 4) {
    const [n, c, h, w] = dims;
    return imageGrid(samples, { n, c, h, w, cols: Math.ceil(Math.sqrt(n)), scale: 3, range: [-1, 1] });
  }
  if (dims.length === 2 && dims[1] === 2) return scatterPlot(samples, { size: 512, title });
  return fail('CLI0040', `cannot draw samples of shape [${dims.join(',')}]: expected [B,C,H,W] images or [B,2] points`);
}
