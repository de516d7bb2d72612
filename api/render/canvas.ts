/**
 * A small RGB raster for sample grids and plots: pixels, rectangles, lines, translucent discs and
 * PNG encoding (through pngjs, written as 8-bit grayscale or RGB). Coordinates are integer pixels
 * with the origin at the top-left; drawing outside the canvas or the current clip is dropped.
 */
import { PNG } from 'pngjs';

export type Rgb = readonly [number, number, number];

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export const WHITE: Rgb = [255, 255, 255];
export const BLACK: Rgb = [0, 0, 0];

export class Canvas {
  readonly data: Uint8Array;
  private clip: Rect;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = WHITE,
  ) {
    this.data = new Uint8Array(width * height * 3);
    this.clip = { x: 0, y: 0, w: width, h: height };
    this.fillRect(0, 0, width, height, background);
  }

  private inside(x: number, y: number): boolean {
    const c = this.clip;
    return x >= c.x && y >= c.y && x < c.x + c.w && y < c.y + c.h;
  }

  /** Runs `draw` with drawing restricted to `rect` (intersected with the canvas). */
  clipped(rect: Rect, draw: () => void): void {
    const saved = this.clip;
    const x = Math.max(0, rect.x),
      y = Math.max(0, rect.y);
    this.clip = { x, y, w: Math.min(this.width, rect.x + rect.w) - x, h: Math.min(this.height, rect.y + rect.h) - y };
    try {
      draw();
    } finally {
      this.clip = saved;
    }
  }

  set(x: number, y: number, color: Rgb): void {
    if (!this.inside(x, y)) return;
    const i = (y * this.width + x) * 3;
    this.data[i] = color[0];
    this.data[i + 1] = color[1];
    this.data[i + 2] = color[2];
  }

  /** Mixes `color` over the pixel with opacity `alpha` in [0, 1]. */
  blend(x: number, y: number, color: Rgb, alpha: number): void {
    if (!this.inside(x, y)) return;
    const i = (y * this.width + x) * 3;
    for (let k = 0; k < 3; k++) this.data[i + k] = Math.round(this.data[i + k] * (1 - alpha) + color[k] * alpha);
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, color);
    }
  }

  /** Outline of a rectangle, one pixel wide, on its outermost pixels. */
  strokeRect(r: Rect, color: Rgb): void {
    this.fillRect(r.x, r.y, r.w, 1, color);
    this.fillRect(r.x, r.y + r.h - 1, r.w, 1, color);
    this.fillRect(r.x, r.y, 1, r.h, color);
    this.fillRect(r.x + r.w - 1, r.y, 1, r.h, color);
  }

  /** A line between pixel centres (Bresenham), `width` pixels thick. */
  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
    let x = Math.round(x0),
      y = Math.round(y0);
    const xe = Math.round(x1),
      ye = Math.round(y1);
    // Lines far outside the canvas (a huge value on a linear axis) are not worth stepping through.
    const limit = 4 * (this.width + this.height);
    if (Math.abs(x) > limit || Math.abs(y) > limit || Math.abs(xe) > limit || Math.abs(ye) > limit) return;
    const dx = Math.abs(xe - x),
      dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1,
      sy = y < ye ? 1 : -1;
    const lo = -Math.floor((width - 1) / 2);
    let err = dx + dy;
    for (;;) {
      this.fillRect(x + lo, y + lo, width, width, color);
      if (x === xe && y === ye) return;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  /** A filled disc of radius `r` centred at (cx, cy), blended with opacity `alpha`. */
  disc(cx: number, cy: number, r: number, color: Rgb, alpha = 1): void {
    const ix = Math.round(cx),
      iy = Math.round(cy),
      reach = Math.ceil(r);
    for (let y = iy - reach; y <= iy + reach; y++) {
      for (let x = ix - reach; x <= ix + reach; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) this.blend(x, y, color, alpha);
      }
    }
  }

  /** PNG bytes; `gray` keeps only the red channel and writes an 8-bit grayscale image. */
  toPng(gray = false): Uint8Array {
    const png = new PNG({ width: this.width, height: this.height });
    let pixels: Uint8Array = this.data;
    if (gray) {
      pixels = new Uint8Array(this.width * this.height);
      for (let i = 0; i < pixels.length; i++) pixels[i] = this.data[3 * i];
    }
    png.data = Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    const colorType = gray ? 0 : 2;
    return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false });
  }
}
