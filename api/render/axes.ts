/**
 * Plot axes: data ranges, linear and log scales, "nice" tick positions (steps of 1, 2 or 5 times a
 * power of ten, as in Heckbert's "Nice numbers for graph labels", Graphics Gems 1990), tick labels,
 * and drawing the frame with ticks, grid lines, axis labels and a title.
 */
import { BLACK, type Canvas, type Rect, type Rgb } from './canvas.ts';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.ts';

/** Maps data values on one axis to pixel positions along [p0, p1]. */
export interface Scale {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
}

export const GRID: Rgb = [228, 228, 228];
export const TEXT_SCALE = 2;
const TICK_LENGTH = 5;
const LABEL_GAP = 6;

export function toPixel(s: Scale, v: number, p0: number, p1: number): number {
  const t = s.log ? (Math.log10(v) - Math.log10(s.lo)) / (Math.log10(s.hi) - Math.log10(s.lo)) : (v - s.lo) / (s.hi - s.lo);
  return p0 + t * (p1 - p0);
}

/** The step of at most ~`target` ticks over `span`: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, target: number): number {
  const raw = span / Math.max(1, target);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

/** Multiples of the nice step inside [lo, hi], rounded so 0.1 + 0.2 prints as 0.3. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const step = niceStep(hi - lo, target);
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
    out.push(Number((k * step).toFixed(Math.min(20, digits))));
  }
  return out;
}

/**
 * Powers of ten inside [lo, hi] (every k-th one when there are many); 1-2-5 steps when the range
 * spans under three decades, and nice linear ticks when it holds fewer than two such values.
 */
export function logTicks(lo: number, hi: number): number[] {
  const inside = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const m of mantissas) {
        const v = Number(`${m}e${e}`);
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  const decades = inside([1]);
  if (decades.length >= 3) {
    const stride = Math.ceil(decades.length / 8);
    return decades.filter((_, i) => i % stride === 0);
  }
  const fine = inside([1, 2, 5]);
  return fine.length >= 2 ? fine : niceTicks(lo, hi, 4).filter((v) => v > 0);
}

/** A short label: plain decimals for moderate magnitudes, `1e-4` style otherwise. */
export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e5) return String(Number(v.toPrecision(6)));
  // rounding first lets 9.99999e-5 carry into 1e-4 instead of printing as 10e-5
  const [mant, exp] = Number(v.toPrecision(4)).toExponential().split('e');
  return `${mant}e${Number(exp)}`;
}

/** The range of `values` (finite, and positive on a log axis), padded by `pad` of its span. */
export function dataRange(values: Iterable<number>, log: boolean, pad = 0.04): Scale {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (log && v <= 0)) continue;
    const t = log ? Math.log10(v) : v;
    lo = Math.min(lo, t);
    hi = Math.max(hi, t);
  }
  if (lo === Infinity) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(lo))) {
    lo -= 0.5;
    hi += 0.5;
  }
  const d = (hi - lo) * pad;
  return log ? { lo: 10 ** (lo - d), hi: 10 ** (hi + d), log } : { lo: lo - d, hi: hi + d, log };
}

export interface AxesText {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

/** Space around the frame that the title, tick labels and axis labels need. */
export function frameFor(width: number, height: number, y: Scale, text: AxesText): Rect {
  const line = (GLYPH_HEIGHT + 1) * TEXT_SCALE;
  const yTicks = y.log ? logTicks(y.lo, y.hi) : niceTicks(y.lo, y.hi);
  const tickWidth = Math.max(...yTicks.map((v) => textWidth(formatTick(v), TEXT_SCALE)));
  const left = LABEL_GAP + (text.yLabel ? line + LABEL_GAP : 0) + tickWidth + LABEL_GAP + TICK_LENGTH;
  const top = LABEL_GAP * 2 + (text.title ? line + LABEL_GAP : 0);
  const bottom = TICK_LENGTH + LABEL_GAP + line + (text.xLabel ? line + LABEL_GAP : 0) + LABEL_GAP;
  const right = LABEL_GAP * 3;
  return { x: left, y: top, w: width - left - right, h: height - top - bottom };
}

/** Grid lines and the frame; draw the data after this and `drawAxesText` last. */
export function drawGrid(canvas: Canvas, frame: Rect, x: Scale, y: Scale): void {
  for (const v of x.log ? logTicks(x.lo, x.hi) : niceTicks(x.lo, x.hi)) {
    const px = Math.round(toPixel(x, v, frame.x, frame.x + frame.w - 1));
    canvas.fillRect(px, frame.y, 1, frame.h, GRID);
    canvas.fillRect(px, frame.y + frame.h, 1, TICK_LENGTH, BLACK);
  }
  for (const v of y.log ? logTicks(y.lo, y.hi) : niceTicks(y.lo, y.hi)) {
    const py = Math.round(toPixel(y, v, frame.y + frame.h - 1, frame.y));
    canvas.fillRect(frame.x, py, frame.w, 1, GRID);
    canvas.fillRect(frame.x - TICK_LENGTH, py, TICK_LENGTH, 1, BLACK);
  }
  canvas.strokeRect(frame, BLACK);
}

/** Tick labels, axis labels and the title around `frame`. */
export function drawAxesText(canvas: Canvas, frame: Rect, x: Scale, y: Scale, text: AxesText): void {
  const h = GLYPH_HEIGHT * TEXT_SCALE,
    line = (GLYPH_HEIGHT + 1) * TEXT_SCALE;
  const below = frame.y + frame.h + TICK_LENGTH + LABEL_GAP;
  for (const v of x.log ? logTicks(x.lo, x.hi) : niceTicks(x.lo, x.hi)) {
    const label = formatTick(v);
    const px = Math.round(toPixel(x, v, frame.x, frame.x + frame.w - 1));
    drawText(canvas, label, px - Math.floor(textWidth(label, TEXT_SCALE) / 2), below, BLACK, { scale: TEXT_SCALE });
  }
  for (const v of y.log ? logTicks(y.lo, y.hi) : niceTicks(y.lo, y.hi)) {
    const label = formatTick(v);
    const py = Math.round(toPixel(y, v, frame.y + frame.h - 1, frame.y));
    const lx = frame.x - TICK_LENGTH - LABEL_GAP - textWidth(label, TEXT_SCALE);
    drawText(canvas, label, lx, py - Math.floor(h / 2), BLACK, { scale: TEXT_SCALE });
  }
  const cx = frame.x + frame.w / 2;
  if (text.xLabel) {
    drawText(canvas, text.xLabel, Math.round(cx - textWidth(text.xLabel, TEXT_SCALE) / 2), below + line + LABEL_GAP, BLACK, { scale: TEXT_SCALE });
  }
  if (text.yLabel) {
    const cy = frame.y + frame.h / 2;
    drawText(canvas, text.yLabel, LABEL_GAP, Math.round(cy + textWidth(text.yLabel, TEXT_SCALE) / 2), BLACK, { scale: TEXT_SCALE, vertical: true });
  }
  if (text.title) {
    drawText(canvas, text.title, Math.round(cx - textWidth(text.title, TEXT_SCALE) / 2), LABEL_GAP * 2, BLACK, { scale: TEXT_SCALE });
  }
}
