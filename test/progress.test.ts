// The progress bar against a fake stream and a fake clock: TTY redraws, sparse plain lines, silence.
import { describe, expect, it } from 'vitest';
import { ProgressBar, type ProgressStream } from '../cli/progress.ts';

function fakeStream(isTTY: boolean, columns?: number): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (t: string) => writes.push(t) };
}

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('ProgressBar on a TTY', () => {
  it('redraws one line with counts, rate and ETA', () => {
    const s = fakeStream(true),
      c = clock();
    const bar = new ProgressBar({ total: 50, label: 'steps', stream: s, now: c.now });
    for (let i = 1; i <= 12; i++) {
      c.advance(1000);
      bar.update(i);
    }
    // 12 of 50 in 12 s: 1 it/s, 38 left; 12/50 of 20 cells = 4.8 -> 5
    expect(s.writes.at(-1)).toBe(`\r[${'#'.repeat(5)}${'.'.repeat(15)}] 12/50 steps 1.0 it/s ETA 38s`);
    expect(s.writes.every((w) => w.startsWith('\r') && !w.includes('\n'))).toBe(true);
    bar.done();
    expect(s.writes.at(-1)).toMatch(/^\r\[#####\.+\] 12\/50 steps 1\.0 it\/s in 12s\s*\n$/);
  });

  it('redraws at most every redrawMs but always draws the last step', () => {
    const s = fakeStream(true),
      c = clock();
    const bar = new ProgressBar({ total: 100, stream: s, now: c.now, redrawMs: 100 });
    for (let i = 1; i <= 100; i++) {
      c.advance(10);
      bar.update(i);
    }
    // first update draws, then one draw per 100 ms (10 updates), and the final one at 100/100
    expect(s.writes.length).toBe(1 + 9 + 1);
    expect(s.writes.at(-1)).toContain('100/100');
  });

  it('pads over a longer previous line and respects the terminal width', () => {
    const s = fakeStream(true),
      c = clock();
    const bar = new ProgressBar({ total: 10, stream: s, now: c.now, width: 10 });
    c.advance(130_000);
    bar.update(1); // ETA 19m30s
    c.advance(100_000);
    bar.update(9); // ETA 26s
    const [a, b] = s.writes;
    expect(a).toContain('ETA 19m30s');
    expect(b.length).toBe(a.length);
    expect(b.trimEnd()).toMatch(/ETA 26s$/);
    const narrow = fakeStream(true, 21);
    const cut = new ProgressBar({ total: 10, stream: narrow, now: c.now, width: 10 });
    c.advance(1000);
    cut.update(3); // the full line would be '[###.......] 3/10 3.0 it/s ETA 2s'
    expect(narrow.writes[0]).toBe('\r[###.......] 3/10 3.');
  });

  it('shows seconds per iteration when slower than one per second, and hours for long runs', () => {
    const s = fakeStream(true),
      c = clock();
    const bar = new ProgressBar({ total: 2000, stream: s, now: c.now });
    c.advance(2500);
    bar.update(1);
    // 1999 steps left at 2.5 s each = 4997.5 s = 1 h 23 m
    expect(s.writes[0]).toMatch(/ 1\/2000 2\.5 s\/it ETA 1h23m$/);
  });
});

describe('ProgressBar elsewhere', () => {
  it('prints a plain line per quarter and a final line', () => {
    const s = fakeStream(false),
      c = clock();
    const bar = new ProgressBar({ total: 50, label: 'steps', stream: s, now: c.now });
    for (let i = 1; i <= 50; i++) {
      c.advance(1000);
      bar.update(i);
    }
    bar.done();
    expect(s.writes.map((w) => w.split(' ')[1])).toEqual(['13/50', '25/50', '38/50', '50/50']);
    expect(s.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(s.writes.at(-1)).toBe(`[${'#'.repeat(20)}] 50/50 steps 1.0 it/s in 50s\n`);
  });

  it('prints at least every 30 s when steps are slow', () => {
    const s = fakeStream(false),
      c = clock();
    const bar = new ProgressBar({ total: 100, stream: s, now: c.now });
    for (let i = 1; i <= 6; i++) {
      c.advance(20_000);
      bar.update(i);
    }
    // lines at 40 s and 80 s (30 s after the previous line), and 120 s
    expect(s.writes.map((w) => w.split(' ')[1])).toEqual(['2/100', '4/100', '6/100']);
  });

  it('writes nothing when disabled, and nothing after done', () => {
    const s = fakeStream(true),
      c = clock();
    const off = new ProgressBar({ total: 5, stream: s, now: c.now, enabled: false });
    off.tick();
    off.done();
    expect(s.writes).toEqual([]);
    const bar = new ProgressBar({ total: 5, stream: s, now: c.now });
    bar.tick(2);
    bar.done();
    bar.done();
    bar.tick();
    expect(s.writes.length).toBe(2);
    expect(s.writes[0]).toContain('2/5');
  });
});
