/**
 * A terminal progress bar for sampling and training loops: `[#####.....] 12/50 steps 1.2 it/s ETA 30s`.
 * On a TTY it redraws one line with `\r` (at most every `redrawMs`); elsewhere (CI logs, pipes) it
 * prints a plain line at each quarter of the work or every 30 s, so logs stay short; disabled, silent.
 */

/** The part of a writable stream the bar needs (process.stderr fits). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly total: number;
  /** Unit after the counts, e.g. 'steps'. */
  readonly label?: string;
  readonly enabled?: boolean;
  readonly stream?: ProgressStream;
  /** Cells in the bar. */
  readonly width?: number;
  /** Milliseconds clock; injectable for tests. */
  readonly now?: () => number;
  readonly redrawMs?: number;
}

const PLAIN_INTERVAL_MS = 30_000;

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** Iterations per second, or seconds per iteration when slower than one per second. */
function formatRate(perSecond: number): string {
  if (perSecond >= 1) return `${perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(1)} it/s`;
  return `${(1 / perSecond).toFixed(1)} s/it`;
}

export class ProgressBar {
  private readonly total: number;
  private readonly stream: ProgressStream;
  private readonly now: () => number;
  private readonly start: number;
  private current = 0;
  private lastDraw = -Infinity;
  private lastWidth = 0;
  private lastQuarter = 0;
  private finished = false;

  constructor(private readonly opts: ProgressOptions) {
    this.total = Math.max(0, Math.floor(opts.total));
    this.stream = opts.stream ?? process.stderr;
    this.now = opts.now ?? Date.now;
    this.start = this.now();
  }

  private get active(): boolean {
    return (this.opts.enabled ?? true) && !this.finished;
  }

  /** The status line for the current count. */
  render(final = false): string {
    const cells = this.opts.width ?? 20;
    const fraction = this.total === 0 ? 1 : this.current / this.total;
    const filled = Math.round(fraction * cells);
    const parts = [`[${'#'.repeat(filled)}${'.'.repeat(cells - filled)}]`, `${this.current}/${this.total}`];
    if (this.opts.label) parts.push(this.opts.label);
    const elapsed = (this.now() - this.start) / 1000;
    if (elapsed > 0 && this.current > 0) parts.push(formatRate(this.current / elapsed));
    if (final) parts.push(`in ${formatDuration(elapsed)}`);
    else if (elapsed > 0 && this.current > 0) parts.push(`ETA ${formatDuration(((this.total - this.current) * elapsed) / this.current)}`);
    return parts.join(' ');
  }

  /** Sets the number of finished iterations. */
  update(done: number): void {
    if (!this.active) return;
    this.current = Math.min(this.total, Math.max(0, Math.floor(done)));
    if (this.stream.isTTY) this.redraw();
    else this.printIfDue();
  }

  tick(count = 1): void {
    this.update(this.current + count);
  }

  /** Draws the final state once and ends the line; further calls do nothing. */
  done(): void {
    if (!this.active) return;
    if (this.stream.isTTY) this.writeTty(this.render(true), '\n');
    else this.stream.write(`${this.render(true)}\n`);
    this.finished = true;
  }

  private redraw(): void {
    const t = this.now();
    if (t - this.lastDraw < (this.opts.redrawMs ?? 100) && this.current < this.total) return;
    this.lastDraw = t;
    this.writeTty(this.render(), '');
  }

  private writeTty(line: string, end: string): void {
    const max = this.stream.columns ? this.stream.columns - 1 : Infinity;
    const text = line.length > max ? line.slice(0, max) : line;
    // pad over the previous, longer line instead of relying on terminal escape codes
    this.stream.write(`\r${text}${' '.repeat(Math.max(0, this.lastWidth - text.length))}${end}`);
    this.lastWidth = text.length;
  }

  private printIfDue(): void {
    const quarter = this.total === 0 ? 4 : Math.floor((4 * this.current) / this.total);
    const t = this.now();
    if (quarter > this.lastQuarter || t - Math.max(this.lastDraw, this.start) >= PLAIN_INTERVAL_MS) {
      if (this.current === this.total) return; // done() prints the last line
      this.lastQuarter = quarter;
      this.lastDraw = t;
      this.stream.write(`${this.render()}\n`);
    }
  }
}
