// The bitmap font: glyphs are distinct, unknown characters fall back to '?', vertical text is the rotation.
import { describe, expect, it } from 'vitest';
import { BLACK, Canvas, WHITE } from '../../api/render/canvas.ts';
import { drawText, GLYPH_ADVANCE, textWidth } from '../../api/render/font.ts';

const CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,:;-+=_/()[]%\'"!?<>*#^|~';

/** The on-pixels of text drawn on a fresh canvas, as "x,y" strings. */
function ink(text: string, opts: { scale?: number; vertical?: boolean } = {}, at: [number, number] = [0, 0]): Set<string> {
  const c = new Canvas(200, 200, WHITE);
  drawText(c, text, at[0], at[1], BLACK, opts);
  const out = new Set<string>();
  for (let y = 0; y < c.height; y++) for (let x = 0; x < c.width; x++) if (c.data[(y * c.width + x) * 3] === 0) out.add(`${x},${y}`);
  return out;
}

describe('bitmap font', () => {
  it('has a distinct, non-empty glyph for every supported character', () => {
    const seen = new Map<string, string>();
    for (const ch of CHARS) {
      const key = [...ink(ch)].sort().join(' ');
      expect(key, `glyph '${ch}'`).not.toBe('');
      expect(seen.get(key), `glyph '${ch}' equals '${seen.get(key)}'`).toBeUndefined();
      seen.set(key, ch);
    }
  });

  it('keeps every glyph inside its 5×7 cell', () => {
    for (const ch of CHARS) {
      for (const p of ink(ch, {}, [10, 10])) {
        const [x, y] = p.split(',').map(Number);
        expect(x >= 10 && x < 15 && y >= 10 && y < 17, `glyph '${ch}' pixel ${p}`).toBe(true);
      }
    }
  });

  it("draws characters it lacks as '?'", () => {
    expect(ink('\u00e9')).toEqual(ink('?'));
    expect(ink('\u00e9').size).toBeGreaterThan(0);
  });

  it('advances 6 pixels per character and scales by whole pixels', () => {
    expect(textWidth('abc', 2)).toBe((3 * GLYPH_ADVANCE - 1) * 2);
    const one = ink('7'),
      two = ink('7', { scale: 2 });
    expect(two.size).toBe(one.size * 4);
    const shifted = new Set([...one].map((p) => p.split(',').map(Number)).map(([x, y]) => `${x + GLYPH_ADVANCE},${y}`));
    expect(ink(' 7')).toEqual(shifted);
  });

  it('draws vertical text as horizontal text turned a quarter counter-clockwise', () => {
    const flat = ink('Ab');
    // (u, v) in the horizontal text lands at (x + v, y - u - 1) when drawn upwards from (x, y)
    const turned = new Set([...flat].map((p) => p.split(',').map(Number)).map(([u, v]) => `${20 + v},${100 - u - 1}`));
    expect(ink('Ab', { vertical: true }, [20, 100])).toEqual(turned);
  });
});
