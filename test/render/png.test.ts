// PNG output, decoded back with pngjs: grid pixels at their computed places, plot points at their pixels.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { imageGrid, linePlot, scatterPlot } from '../../api/render/png.ts';

interface Decoded {
  width: number;
  height: number;
  colorType: number;
  rgb(x: number, y: number): [number, number, number];
}

function decode(bytes: Uint8Array): Decoded {
  const png = PNG.sync.read(Buffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    colorType: bytes[25], // IHDR colour type byte
    rgb: (x, y) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i], png.data[i + 1], png.data[i + 2]];
    },
  };
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenocError) return e.diagnostics[0].code;
    throw e;
  }
  return 'no error';
}

describe('imageGrid', () => {
  it('places each upscaled tile after the gaps and maps -1..1 to 0..255', () => {
    const [n, h, w, cols, scale, gap] = [3, 2, 2, 2, 2, 1];
    const values = [-1, 1, 0, 0.5, /* img 1 */ 3, -7, NaN, -0.5, /* img 2 */ 1, 1, -1, -1];
    const expectedByte = (v: number) => (Number.isNaN(v) ? 0 : v >= 1 ? 255 : v <= -1 ? 0 : Math.round((v + 1) * 127.5));
    const img = decode(imageGrid(Float32Array.from(values), { n, c: 1, h, w, cols, scale, gap }));
    expect([img.width, img.height, img.colorType]).toEqual([11, 11, 0]); // 2 tiles of 4 px + 3 gaps, grayscale
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        // which tile and source pixel, if any, covers (x, y)
        const tx = Math.floor((x - gap) / (w * scale + gap)),
          ty = Math.floor((y - gap) / (h * scale + gap));
        const ix = x - gap - tx * (w * scale + gap),
          iy = y - gap - ty * (h * scale + gap);
        const k = ty * cols + tx;
        const inTile = ix >= 0 && iy >= 0 && ix < w * scale && iy < h * scale && k < n;
        const want = inTile ? expectedByte(values[k * h * w + Math.floor(iy / scale) * w + Math.floor(ix / scale)]) : 255;
        if (img.rgb(x, y)[0] !== want) expect([x, y, img.rgb(x, y)[0]]).toEqual([x, y, want]);
      }
    }
    expect(img.rgb(1, 1)[0]).toBe(0); // first pixel of image 0 is -1
    expect(img.rgb(3, 1)[0]).toBe(255);
    expect(img.rgb(3, 3)[0]).toBe(191); // 0.5 -> 191.25
  });

  it('writes RGB tiles for three channels and honours a custom range', () => {
    // two 1x1 images, planar channels: (r, g, b) = (0, 5, 10) and (10, 0, 2.5) over range [0, 10]
    const img = decode(imageGrid(Float32Array.of(0, 5, 10, 10, 0, 2.5), { n: 2, c: 3, h: 1, w: 1, cols: 2, gap: 1, range: [0, 10] }));
    expect([img.width, img.height, img.colorType]).toEqual([5, 3, 2]);
    expect(img.rgb(1, 1)).toEqual([0, 128, 255]);
    expect(img.rgb(3, 1)).toEqual([255, 0, 64]);
  });

  it('draws row labels in a left margin and shifts the tiles right by it', () => {
    // 4 flat-grey 8x8 tiles (value 0 -> 128) in 2 rows; labels "y=0" and "y=1"
    const img = decode(imageGrid(new Float32Array(4 * 64), { n: 4, c: 1, h: 8, w: 8, cols: 2, gap: 2, scale: 3, rowLabels: ['y=0', 'y=1'] }));
    const plain = decode(imageGrid(new Float32Array(4 * 64), { n: 4, c: 1, h: 8, w: 8, cols: 2, gap: 2, scale: 3 }));
    const margin = img.width - plain.width;
    expect(margin).toBeGreaterThan(10);
    expect(img.height).toBe(plain.height);
    // the tiles are the plain grid's, moved right by the margin
    for (const [x, y] of [
      [2, 2],
      [30, 40],
      [50, 10],
    ]) {
      expect(img.rgb(x + margin, y)).toEqual(plain.rgb(x, y));
    }
    // each row's label puts dark pixels in the margin, within that row's band
    const dark = (y0: number, y1: number) => {
      let count = 0;
      for (let y = y0; y < y1; y++) for (let x = 0; x < margin; x++) count += img.rgb(x, y)[0] < 100 ? 1 : 0;
      return count;
    };
    const row = 8 * 3 + 2;
    expect(dark(2, 2 + row)).toBeGreaterThan(10);
    expect(dark(2 + row, 2 + 2 * row)).toBeGreaterThan(10);
  });

  it('defaults to a square-ish grid', () => {
    const img = decode(imageGrid(new Float32Array(5 * 4 * 4), { n: 5, c: 1, h: 4, w: 4, gap: 0 }));
    expect([img.width, img.height]).toEqual([12, 8]); // ceil(sqrt(5)) = 3 columns, 2 rows
  });

  it('rejects bad shapes and options', () => {
    expect(code(() => imageGrid(new Float32Array(7), { n: 2, c: 1, h: 2, w: 2 }))).toBe('RND0001');
    expect(code(() => imageGrid(new Float32Array(8), { n: 2, c: 2, h: 1, w: 2 }))).toBe('RND0001');
    expect(code(() => imageGrid(new Float32Array(4), { n: 1, c: 1, h: 2, w: 2, scale: 1.5 }))).toBe('RND0001');
    expect(code(() => imageGrid(new Float32Array(4), { n: 1, c: 1, h: 2, w: 2, range: [1, 1] }))).toBe('RND0001');
  });
});

/** The plot frame: the outermost long black lines of the picture. */
function findFrame(img: Decoded): { left: number; right: number; top: number; bottom: number } {
  const isBlack = (x: number, y: number) => img.rgb(x, y).every((v) => v === 0);
  const runs = (count: number, len: number, at: (i: number, j: number) => boolean) => {
    const best: number[] = [];
    for (let i = 0; i < count; i++) {
      let run = 0,
        longest = 0;
      for (let j = 0; j < len; j++) {
        run = at(i, j) ? run + 1 : 0;
        longest = Math.max(longest, run);
      }
      if (longest > len / 3) best.push(i);
    }
    return best;
  };
  const rows = runs(img.height, img.width, (y, x) => isBlack(x, y));
  const cols = runs(img.width, img.height, (x, y) => isBlack(x, y));
  return { top: rows[0], bottom: rows[rows.length - 1], left: cols[0], right: cols[cols.length - 1] };
}

/** Centroid of the pixels that pass `pick`, inside the frame. */
function centroid(img: Decoded, pick: (c: [number, number, number]) => boolean): [number, number, number] {
  let sx = 0,
    sy = 0,
    n = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++)
      if (pick(img.rgb(x, y))) {
        sx += x;
        sy += y;
        n++;
      }
  }
  return [sx / n, sy / n, n];
}

const bluish = ([r, , b]: [number, number, number]) => b > 120 && b - r > 60;
const orangeish = ([r, g, b]: [number, number, number]) => r > 200 && r - b > 60 && g < 220;

describe('scatterPlot', () => {
  it('puts a point at its place inside the frame for explicit bounds', () => {
    const img = decode(scatterPlot(Float32Array.of(0.5, -0.5), { bounds: [-1, 1, -1, 1], size: 400 }));
    expect([img.width, img.height]).toEqual([400, 400]);
    const f = findFrame(img);
    const [cx, cy, count] = centroid(img, bluish);
    expect(count).toBeGreaterThan(4);
    expect(cx).toBeCloseTo(f.left + 0.75 * (f.right - f.left), 0);
    expect(cy).toBeCloseTo(f.bottom - 0.25 * (f.bottom - f.top), 0);
  });

  it('draws reference points in another colour, with a legend, and clips what lies outside', () => {
    const img = decode(
      scatterPlot(Float32Array.of(0, 0, 9, 9), {
        reference: Float32Array.of(-0.5, 0.5),
        bounds: [-1, 1, -1, 1],
        title: 'two moons',
      }),
    );
    const f = findFrame(img);
    const inside = (x: number, y: number) => x > f.left && x < f.right && y > f.top && y < f.bottom;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) if (bluish(img.rgb(x, y)) && !inside(x, y)) expect([x, y]).toBe('inside the frame');
    }
    // the reference point at (-0.5, 0.5); the legend's orange swatch sits in the right half
    const leftHalf: Decoded = { ...img, rgb: (x, y) => (x < (f.left + f.right) / 2 ? img.rgb(x, y) : [255, 255, 255]) };
    const [ox, oy, inLeft] = centroid(leftHalf, orangeish);
    expect(ox).toBeCloseTo(f.left + 0.25 * (f.right - f.left), 0);
    expect(oy).toBeCloseTo(f.top + 0.25 * (f.bottom - f.top), 0);
    expect(centroid(img, orangeish)[2]).toBeGreaterThanOrEqual(inLeft + 20 * 4);
  });

  it('uses equal units on both axes by default', () => {
    // points 4 units apart in x, and one 0.5 units above their midpoint
    const img = decode(scatterPlot(Float32Array.of(-2, 0, 2, 0, 0, 0.5), { size: 300 }));
    const f = findFrame(img);
    expect(f.right - f.left).toBe(f.bottom - f.top);
    const third = (lo: number, hi: number): Decoded => ({ ...img, rgb: (x, y) => (x >= lo && x < hi ? img.rgb(x, y) : [255, 255, 255]) });
    const w = (f.right - f.left) / 3;
    const [lx, ly] = centroid(third(0, f.left + w), bluish);
    const [mx, my] = centroid(third(f.left + w, f.right - w), bluish);
    const [rx, ry] = centroid(third(f.right - w, img.width), bluish);
    const pixelsPerUnit = (rx - lx) / 4;
    expect(ly).toBeCloseTo(ry, 1);
    expect(mx).toBeCloseTo((lx + rx) / 2, 0);
    expect((ly - my) / pixelsPerUnit).toBeCloseTo(0.5, 1);
  });

  it('rejects an odd number of values and empty bounds', () => {
    expect(code(() => scatterPlot(Float32Array.of(1, 2, 3)))).toBe('RND0002');
    expect(code(() => scatterPlot(Float32Array.of(1, 2), { bounds: [1, 0, 0, 1] }))).toBe('RND0002');
    expect(code(() => scatterPlot(Float32Array.of(1, 2), { size: 20 }))).toBe('RND0003');
  });
});

describe('linePlot', () => {
  const seriesColor = ([r, , b]: [number, number, number]) => b > 150 && b - r > 60; // first palette colour

  /** Rows in column x with the series colour. */
  const hits = (img: Decoded, x: number) => [...Array(img.height).keys()].filter((y) => seriesColor(img.rgb(x, y)));

  it('maps the middle of a straight line to the middle of the frame', () => {
    const img = decode(linePlot([{ name: 'a', x: [0, 1, 2], y: [0, 2, 4] }], { title: 'T', xLabel: 'x', yLabel: 'y', markers: false }));
    const f = findFrame(img);
    const rows = hits(img, Math.round((f.left + f.right) / 2));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.reduce((a, b) => a + b, 0) / rows.length).toBeCloseTo((f.top + f.bottom) / 2, -0.5);
  });

  it('puts 10 at the middle of a log axis from 1 to 100', () => {
    const img = decode(linePlot([{ name: 'err', x: [1, 100], y: [100, 1] }], { logX: true, logY: true, markers: false, width: 500, height: 400 }));
    expect([img.width, img.height]).toEqual([500, 400]);
    const f = findFrame(img);
    const rows = hits(img, Math.round((f.left + f.right) / 2));
    expect(rows.reduce((a, b) => a + b, 0) / rows.length).toBeCloseTo((f.top + f.bottom) / 2, -0.5);
    // a line falling from top-left to bottom-right: a quarter of the way along it is in the upper half
    const quarter = hits(img, Math.round(f.left + (f.right - f.left) / 4));
    expect(Math.max(...quarter)).toBeLessThan((f.top + f.bottom) / 2);
  });

  it('skips points a log axis cannot show and breaks the line there', () => {
    const img = decode(linePlot([{ name: 'e', x: [1, 2, 3, 4, 5], y: [1, 0, NaN, 0.1, 0.01] }], { logY: true, markers: false }));
    const f = findFrame(img);
    // at 35 % of the frame, x is about 2.4 (between the lone point at 1 and the next drawable at 4)
    expect(hits(img, Math.round(f.left + 0.35 * (f.right - f.left)))).toEqual([]);
    // at 85 %, x is about 4.5: on the segment from 4 to 5
    expect(hits(img, Math.round(f.left + 0.85 * (f.right - f.left))).length).toBeGreaterThan(0);
  });

  it('draws a legend swatch per series in its own colour', () => {
    const img = decode(
      linePlot([
        { name: 'rising', x: [0, 1], y: [0, 1] },
        { name: 'second', x: [0, 1], y: [0.5, 0.5] },
      ]),
    );
    // the lines are 2 px thick; only a swatch is a 20×4 block of the second series' colour
    const block = (x0: number, y0: number) => {
      for (let y = y0; y < y0 + 4; y++) for (let x = x0; x < x0 + 20; x++) if (!orangeish(img.rgb(x, y))) return false;
      return true;
    };
    let swatches = 0;
    for (let y = 0; y + 4 <= img.height; y++) for (let x = 0; x + 20 <= img.width; x++) if (block(x, y)) swatches++;
    expect(swatches).toBe(1);
  });

  it('rejects series whose x and y differ in length', () => {
    expect(code(() => linePlot([{ name: 's', x: [1, 2], y: [1] }]))).toBe('RND0003');
  });
});
