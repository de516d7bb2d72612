/**
 * Markdown tables of a compression report: the summary (parameters, FLOPs per run and per step,
 * measured errors), one table per pass from its ApproxReport, and the sweep behind the chart.
 */
import type { ApproxReport } from '../../compiler/report/types.ts';

export interface Summary {
  readonly title: string;
  readonly passes: string;
  readonly before: { params: number; flops: number; perStep: number };
  readonly after: { params: number; flops: number; perStep: number };
  readonly batch: number;
  readonly denoiserError?: number;
  readonly denoiserInputs?: string;
  readonly sampleError?: number;
  readonly sampleNote?: string;
}

export interface SweepPoint {
  readonly pass: string;
  readonly value: number;
  readonly setting: string;
  readonly savedFlops: number;
  readonly savedParams: number;
  readonly error: number;
}

export function formatCount(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(Math.round(n));
}

const pct = (before: number, after: number): string => (before > 0 ? `${(100 * (1 - after / before)).toFixed(1)}%` : '–');
const sci = (x: number | undefined): string => (x === undefined ? '–' : x === 0 ? '0' : x.toExponential(2));

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function summaryMarkdown(s: Summary): string {
  const { before: b, after: a } = s;
  return [
    `# Compression report: ${s.title}`,
    '',
    `Passes: \`${s.passes}\`. Figures are per run of the graph with B = ${s.batch}.`,
    '',
    table(
      ['', 'parameters', 'FLOPs per run', 'FLOPs per step'],
      [
        ['exact', formatCount(b.params), formatCount(b.flops), formatCount(b.perStep)],
        ['compressed', formatCount(a.params), formatCount(a.flops), formatCount(a.perStep)],
        ['saved', pct(b.params, a.params), pct(b.flops, a.flops), pct(b.perStep, a.perStep)],
      ],
    ),
    '',
    table(
      ['error (relative L2, vs the exact graph)', 'value'],
      [
        [`denoiser output${s.denoiserInputs ? ` (${s.denoiserInputs})` : ''}`, sci(s.denoiserError)],
        [`final sample${s.sampleNote ? ` (${s.sampleNote})` : ''}`, sci(s.sampleError)],
      ],
    ),
  ].join('\n');
}

export function passMarkdown(r: ApproxReport): string {
  const out = [`## ${r.pass}${r.exact ? ' (exact up to float rounding)' : ''}`, ''];
  if (r.layers.length) {
    out.push(
      table(
        ['layer', 'kind', 'change', 'params before → after', 'FLOPs before → after', 'weight error'],
        r.layers.map((l) => [
          l.layer,
          l.kind,
          l.detail,
          `${formatCount(l.paramsBefore)} → ${formatCount(l.paramsAfter)}`,
          `${formatCount(l.flopsBefore)} → ${formatCount(l.flopsAfter)}`,
          sci(l.weightError),
        ]),
      ),
      '',
    );
  } else {
    out.push('No layer changed.', '');
  }
  const t = r.total;
  out.push(
    `Total: parameters ${formatCount(t.paramsBefore)} → ${formatCount(t.paramsAfter)} (${pct(t.paramsBefore, t.paramsAfter)} saved), ` +
      `FLOPs ${formatCount(t.flopsBefore)} → ${formatCount(t.flopsAfter)} (${pct(t.flopsBefore, t.flopsAfter)} saved).`,
  );
  if (r.skipped.length)
    out.push(
      '',
      table(
        ['left alone', 'why'],
        r.skipped.map((s) => [s.layer, s.reason]),
      ),
    );
  if (r.notes.length) out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export function sweepMarkdown(points: readonly SweepPoint[], png: string): string {
  if (!points.length) return '';
  return [
    '## Error against saved FLOPs',
    '',
    `![denoiser error against saved FLOPs](${png})`,
    '',
    table(
      ['pass', 'setting', 'FLOPs saved', 'params saved', 'denoiser error'],
      points.map((p) => [p.pass, p.setting, `${(100 * p.savedFlops).toFixed(1)}%`, `${(100 * p.savedParams).toFixed(1)}%`, sci(p.error)]),
    ),
  ].join('\n');
}
