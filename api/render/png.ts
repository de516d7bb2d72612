/**
 * PNG pictures of what a sampler produced or how it behaved: grids of image samples, scatter plots
 * of 2-D samples against the data, and line plots (error against steps, loss curves) with axes,
 * ticks and a legend. Bad arguments raise DenocError RND0001 (image grid), RND0002 (points) or
 * RND0003 (line series, plot size).
 */
import { DenocError, type DiagnosticCode } from '../../compiler/core/diagnostics.ts';
import { dataRange, drawAxesText, drawGrid, frameFor, TEXT_SCALE, toPixel, type Scale } from './axes.ts';
import { BLACK, Canvas, WHITE, type Rect, type Rgb } from './canvas.ts';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.ts';

export interface GridOptions {
  /** Images, channels, height and width of the NCHW batch. */
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  /** Images per row; defaults to a square-ish grid. */
  readonly cols?: number;
  /** Integer upscaling factor (nearest neighbour). */
  readonly scale?: number;
  /** Values mapped to black and white; [-1, 1] by default. */
  readonly range?: readonly [number, number];
  /** White pixels between and around tiles. */
  readonly gap?: number;
  /** A label left of each row (e.g. the class the row was asked for), in a margin as wide as the longest. */
  readonly rowLabels?: readonly string[];
}

export interface ScatterOptions {
  /** Width and height of the picture in pixels. */
  readonly size?: number;
  readonly title?: string;
  /** Points to show beneath the samples, e.g. the training data (N×2). */
  readonly reference?: Float32Array;
  /** [xmin, xmax, ymin, ymax]; by default the data's range with equal scales on both axes. */
  readonly bounds?: readonly [number, number, number, number];
  /** Legend names of the samples and the reference. */
  readonly labels?: readonly [string, string];
}

export interface LineSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface LineOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
  /** Dots on the data points; on by default when every series has at most 40 points. */
  readonly markers?: boolean;
}

/** Distinct colours for series (the widely used "category10" palette). */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

function bad(code: DiagnosticCode, message: string): never {
  throw new DenocError({ code, severity: 'error', message });
}

function isCount(v: number, min: number): boolean {
  return Number.isInteger(v) && v >= min;
}

function checkGrid(images: Float32Array, o: GridOptions): void {
  const { n, c, h, w } = o;
  if (![n, h, w].every((d) => isCount(d, 1)) || (c !== 1 && c !== 3)) {
    bad('RND0001', `imageGrid needs positive integer n, h, w and c = 1 (gray) or 3 (RGB); got n=${n} c=${c} h=${h} w=${w}`);
  }
  if (images.length !== n * c * h * w) {
    bad('RND0001', `imageGrid: ${images.length} values do not make ${n}×${c}×${h}×${w} = ${n * c * h * w}`);
  }
  const [lo, hi] = o.range ?? [-1, 1];
  if (!isCount(o.scale ?? 1, 1) || !isCount(o.gap ?? 2, 0) || !isCount(o.cols ?? 1, 1) || !(hi > lo) || !Number.isFinite(hi - lo)) {
    bad('RND0001', `imageGrid: scale and cols must be integers >= 1, gap an integer >= 0 and range [lo, hi] finite with lo < hi`);
  }
}

/** Tiles an N×C×H×W batch into one PNG, mapping range[0] to 0 and range[1] to 255 (NaN to 0). */
export function imageGrid(images: Float32Array, opts: GridOptions): Uint8Array {
  checkGrid(images, opts);
  const { n, c, h, w } = opts;
  const scale = opts.scale ?? 1,
    gap = opts.gap ?? 2;
  const [lo, hi] = opts.range ?? [-1, 1];
  const cols = Math.min(n, opts.cols ?? Math.ceil(Math.sqrt(n)));
  const rows = Math.ceil(n / cols);
  const labels = opts.rowLabels ?? [];
  const margin = labels.length ? Math.max(...labels.map((l) => textWidth(l, TEXT_SCALE))) + 2 * gap + 4 : 0;
  const canvas = new Canvas(margin + cols * w * scale + (cols + 1) * gap, rows * h * scale + (rows + 1) * gap, WHITE);
  const byte = (v: number) => (Number.isNaN(v) ? 0 : Math.min(255, Math.max(0, Math.round(((v - lo) / (hi - lo)) * 255))));
  for (let k = 0; k < n; k++) {
    const x0 = margin + gap + (k % cols) * (w * scale + gap),
      y0 = gap + Math.floor(k / cols) * (h * scale + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const at = (ch: number) => images[((k * c + ch) * h + y) * w + x];
        const g = byte(at(0));
        const color: Rgb = c === 1 ? [g, g, g] : [g, byte(at(1)), byte(at(2))];
        canvas.fillRect(x0 + x * scale, y0 + y * scale, scale, scale, color);
      }
    }
  }
  labels.slice(0, rows).forEach((label, r) => {
    const y = gap + r * (h * scale + gap) + Math.floor((h * scale - GLYPH_HEIGHT * TEXT_SCALE) / 2);
    drawText(canvas, label, gap + 2, Math.max(0, y), BLACK, { scale: TEXT_SCALE });
  });
  return canvas.toPng(c === 1);
}

function checkSize(width: number, height: number): void {
  if (!isCount(width, 160) || !isCount(height, 120) || width * height > 1 << 26) {
    bad('RND0003', `plot size ${width}×${height} must be integers of at least 160×120 and at most 64 Mpixels`);
  }
}

interface LegendEntry {
  readonly name: string;
  readonly color: Rgb;
}

/** A boxed legend in the frame corner that covers the fewest of `points` (pixel positions). */
function drawLegend(canvas: Canvas, frame: Rect, entries: readonly LegendEntry[], points: readonly [number, number][]): void {
  if (entries.length === 0) return;
  const line = (GLYPH_HEIGHT + 3) * TEXT_SCALE,
    swatch = 20,
    pad = 8;
  const w = pad * 3 + swatch + Math.max(...entries.map((e) => textWidth(e.name, TEXT_SCALE)));
  const h = pad * 2 + entries.length * line - 3 * TEXT_SCALE;
  const inset = 10;
  const corners: Rect[] = [
    { x: frame.x + frame.w - w - inset, y: frame.y + inset, w, h },
    { x: frame.x + inset, y: frame.y + inset, w, h },
    { x: frame.x + frame.w - w - inset, y: frame.y + frame.h - h - inset, w, h },
    { x: frame.x + inset, y: frame.y + frame.h - h - inset, w, h },
  ];
  const covered = (r: Rect) => points.filter(([px, py]) => px >= r.x && px < r.x + r.w && py >= r.y && py < r.y + r.h).length;
  const box = corners.reduce((best, r) => (covered(r) < covered(best) ? r : best));
  canvas.fillRect(box.x, box.y, box.w, box.h, WHITE);
  canvas.strokeRect(box, [160, 160, 160]);
  entries.forEach((e, i) => {
    const y = box.y + pad + i * line;
    canvas.fillRect(box.x + pad, y + (GLYPH_HEIGHT * TEXT_SCALE) / 2 - 2, swatch, 4, e.color);
    drawText(canvas, e.name, box.x + pad * 2 + swatch, y, BLACK, { scale: TEXT_SCALE });
  });
}

function pairs(points: Float32Array, what: string): [number, number][] {
  if (points.length % 2 !== 0) bad('RND0002', `scatterPlot: ${what} has ${points.length} values; expected N×2 (x, y) pairs`);
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += 2) out.push([points[i], points[i + 1]]);
  return out;
}

/** Equal units on both axes, so a circle of samples looks like a circle. */
function squareScales(all: readonly [number, number][]): [Scale, Scale] {
  const x = dataRange(
      all.map((p) => p[0]),
      false,
    ),
    y = dataRange(
      all.map((p) => p[1]),
      false,
    );
  const half = Math.max(x.hi - x.lo, y.hi - y.lo) / 2;
  const cx = (x.lo + x.hi) / 2,
    cy = (y.lo + y.hi) / 2;
  return [
    { lo: cx - half, hi: cx + half, log: false },
    { lo: cy - half, hi: cy + half, log: false },
  ];
}

/** Samples (blue) over optional reference points (orange) on a square plot. */
export function scatterPlot(points: Float32Array, opts: ScatterOptions = {}): Uint8Array {
  const size = opts.size ?? 512;
  checkSize(size, size);
  const samples = pairs(points, 'points');
  const reference = opts.reference ? pairs(opts.reference, 'reference') : [];
  const b = opts.bounds;
  if (b && !(b[1] > b[0] && b[3] > b[2])) bad('RND0002', `scatterPlot: bounds [${b.join(', ')}] need xmin < xmax and ymin < ymax`);
  const [xs, ys] = b
    ? [
        { lo: b[0], hi: b[1], log: false },
        { lo: b[2], hi: b[3], log: false },
      ]
    : squareScales([...samples, ...reference]);
  const canvas = new Canvas(size, size, WHITE);
  const loose = frameFor(size, size, ys, { title: opts.title });
  const side = Math.min(loose.w, loose.h);
  const frame = { ...loose, w: side, h: side };
  drawGrid(canvas, frame, xs, ys);
  const px = ([x, y]: [number, number]): [number, number] => [
    toPixel(xs, x, frame.x, frame.x + frame.w - 1),
    toPixel(ys, y, frame.y + frame.h - 1, frame.y),
  ];
  const [sampleColor, referenceColor] = [PALETTE[0], PALETTE[1]];
  canvas.clipped({ x: frame.x + 1, y: frame.y + 1, w: frame.w - 2, h: frame.h - 2 }, () => {
    for (const p of reference) canvas.disc(...px(p), 2, referenceColor, 0.35);
    for (const p of samples) canvas.disc(...px(p), 2, sampleColor, 0.7);
  });
  drawAxesText(canvas, frame, xs, ys, { title: opts.title });
  if (reference.length > 0) {
    const [s, r] = opts.labels ?? ['samples', 'data'];
    drawLegend(
      canvas,
      frame,
      [
        { name: s, color: sampleColor },
        { name: r, color: referenceColor },
      ],
      [...samples, ...reference].map(px),
    );
  }
  return canvas.toPng();
}

function checkSeries(series: readonly LineSeries[]): void {
  for (const s of series) {
    if (s.x.length !== s.y.length) bad('RND0003', `linePlot: series '${s.name}' has ${s.x.length} x values but ${s.y.length} y values`);
  }
}

/** Pixel polylines of a series, broken where a point cannot be drawn (NaN, or <= 0 on a log axis). */
function polylines(s: LineSeries, xs: Scale, ys: Scale, frame: Rect): [number, number][][] {
  const ok = (v: number, log: boolean) => Number.isFinite(v) && (!log || v > 0);
  const out: [number, number][][] = [];
  let current: [number, number][] = [];
  s.x.forEach((x, i) => {
    const y = s.y[i];
    if (!ok(x, xs.log) || !ok(y, ys.log)) {
      if (current.length > 0) out.push(current);
      current = [];
      return;
    }
    current.push([toPixel(xs, x, frame.x, frame.x + frame.w - 1), toPixel(ys, y, frame.y + frame.h - 1, frame.y)]);
  });
  if (current.length > 0) out.push(current);
  return out;
}

/** Points every few pixels along a polyline, so the legend can avoid lines, not only vertices. */
function alongLines(line: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [...line];
  for (let i = 1; i < line.length; i++) {
    const [x0, y0] = line[i - 1],
      [x1, y1] = line[i];
    const steps = Math.ceil(Math.hypot(x1 - x0, y1 - y0) / 4);
    for (let j = 1; j < steps; j++) out.push([x0 + ((x1 - x0) * j) / steps, y0 + ((y1 - y0) * j) / steps]);
  }
  return out;
}

/** Series as coloured lines (with markers for short series), axes with nice ticks, and a legend. */
export function linePlot(series: readonly LineSeries[], opts: LineOptions = {}): Uint8Array {
  const width = opts.width ?? 640,
    height = opts.height ?? 480;
  checkSize(width, height);
  checkSeries(series);
  const xs = dataRange(
    series.flatMap((s) => s.x),
    opts.logX ?? false,
  );
  const ys = dataRange(
    series.flatMap((s) => s.y),
    opts.logY ?? false,
  );
  const canvas = new Canvas(width, height, WHITE);
  const frame = frameFor(width, height, ys, opts);
  drawGrid(canvas, frame, xs, ys);
  const markers = opts.markers ?? series.every((s) => s.x.length <= 40);
  const drawn: [number, number][] = [];
  canvas.clipped({ x: frame.x + 1, y: frame.y + 1, w: frame.w - 2, h: frame.h - 2 }, () => {
    series.forEach((s, k) => {
      const color = PALETTE[k % PALETTE.length];
      for (const line of polylines(s, xs, ys, frame)) {
        for (let i = 1; i < line.length; i++) canvas.line(...line[i - 1], ...line[i], color, 2);
        if (markers) for (const p of line) canvas.disc(...p, 3.5, color);
        drawn.push(...alongLines(line));
      }
    });
  });
  drawAxesText(canvas, frame, xs, ys, opts);
  drawLegend(
    canvas,
    frame,
    series.map((s, k) => ({ name: s.name, color: PALETTE[k % PALETTE.length] })),
    drawn,
  );
  return canvas.toPng();
}
