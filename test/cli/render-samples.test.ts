// renderSamples with the class of each sample: one row per class (in order of first appearance),
// each row holding exactly that class's samples in batch order.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { renderSamples } from '../../cli/render-samples.ts';

describe('renderSamples with class labels', () => {
  it('groups the cycled classes of a batch into labelled rows', () => {
    // 6 one-value 2x2 "images", classes cycled 3,1,3,1,3,1 -> rows y=3 (samples 0,2,4) and y=1 (1,3,5)
    const values = [-1, -0.6, -0.2, 0.2, 0.6, 1];
    const samples = Float32Array.from(values.flatMap((v) => [v, v, v, v]));
    const labels = Int32Array.of(3, 1, 3, 1, 3, 1);
    const png = PNG.sync.read(Buffer.from(renderSamples(samples, [6, 1, 2, 2], 6, 't', labels)));
    const plain = PNG.sync.read(Buffer.from(renderSamples(samples, [6, 1, 2, 2], 6, 't')));
    const tile = 2 * 3 + 2; // 2 px at scale 3, plus the gap
    const rows = (png.height - 2) / tile;
    expect(rows).toBe(2);
    const cols = (plain.width - 2) / tile; // 3 columns (ceil √6) in the plain grid too
    const margin = png.width - (cols * tile + 2);
    expect(margin).toBeGreaterThan(0);
    const grey = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    const at = (row: number, col: number) => grey(margin + 2 + col * tile + 1, 2 + row * tile + 1);
    const byte = (v: number) => Math.round((v + 1) * 127.5);
    expect([0, 1, 2].map((c) => at(0, c))).toEqual([0, 2, 4].map((i) => byte(values[i])));
    expect([0, 1, 2].map((c) => at(1, c))).toEqual([1, 3, 5].map((i) => byte(values[i])));
  });
});
