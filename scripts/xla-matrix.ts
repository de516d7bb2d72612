/**
 * The StableHLO target on real XLA: every example's samplers, each example with at least DDIM and
 * DPM-Solver++(2M), written as artifact directories (f32 while loop, f32 unrolled, bf16 with TPU tiling)
 * and run by scripts/xla-check.py with JAX on its default backend (or --platform). Weights are seeded
 * random; the reference is denoc's reference executor (tfjs wasm) on the same inputs.
 * Writes bench/results/xla.json and xla.md. Exits 1 if any module misses its tolerance.
 * Run: `npm run xla:check [-- --platform cpu|gpu] [--batch N] [--variants f32,bf16-tpu,f32-unroll] [--only NAME]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileSampler } from '../compiler/compile.ts';
import { topoOrder } from '../compiler/core/ir/node.ts';
import { compileSource, type Program } from '../dsl/index.ts';
import { useBackend } from '../compiler/semantics/backend.ts';
import { initWeights } from '../runtime/weights/init.ts';
import { writeStableHLOArtifacts } from '../targets/stablehlo/artifacts.ts';
import { referenceRunner } from '../api/run.ts';
import type { StableHLOOptions } from '../targets/stablehlo/options.ts';
import { findJaxPython } from './jax-python.ts';

const VARIANTS: Record<string, StableHLOOptions> = {
  'f32': {},
  'bf16-tpu': { precision: 'bf16', tile: 'tpu' },
  'f32-unroll': { unroll: true },
  'f32-nchw': { convLayout: 'nchw' },
};

interface Row {
  example: string;
  sampler: string;
  steps: number;
  variant: string;
  params: number;
  ok: boolean;
  maxErr?: number;
  maxRef?: number;
  allowed?: number;
  compileS?: number;
  runMs?: number;
  device?: string;
  jax?: string;
  failure?: string;
}

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** The example as written, plus DDIM and DPM-Solver++(2M) samplers for its last model where it lacks them. */
function withRequiredSamplers(path: string): Program {
  let text = readFileSync(path, 'utf8');
  const model = compileSource(text, path).models.at(-1)!.name;
  if (!/= ddim\(/.test(text)) text += `\nsampler ddim_check = ddim(${model}, steps: 20)\n`;
  if (!/= dpmpp_2m\(/.test(text)) text += `\nsampler dpmpp_2m_check = dpmpp_2m(${model}, steps: 10)\n`;
  return compileSource(text, path);
}

/** What scripts/xla-check.py --json writes. */
interface XlaRecord {
  ok: boolean;
  jax: string;
  platform: string;
  device: string;
  compile_s: number;
  run_ms: number | null;
  outputs: { max_err: number; max_ref: number; allowed: number; ok: boolean }[];
}

function runCheck(python: string, dir: string, platform: string | undefined): { record?: XlaRecord; failure?: string } {
  const json = join(dir, 'xla-result.json');
  const args = ['scripts/xla-check.py', dir, '--json', json, ...(platform ? ['--platform', platform] : [])];
  const r = spawnSync(python, args, { encoding: 'utf8' });
  process.stdout.write(
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('output') || l.startsWith('compiled'))
      .map((l) => `    ${l}\n`)
      .join(''),
  );
  try {
    return { record: JSON.parse(readFileSync(json, 'utf8')) };
  } catch {
    return { failure: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ') };
  }
}

function markdown(rows: readonly Row[], batch: number): string {
  const first = rows.find((r) => r.device);
  const fmt = (v: number | undefined, d = 2): string => (v === undefined ? '—' : v.toExponential(d));
  return [
    '# StableHLO on real XLA',
    '',
    `${new Date().toISOString().slice(0, 10)}, jax ${first?.jax ?? '?'} on ${first?.device ?? '?'}, batch ${batch}, seeded random weights.`,
    'Error: max |xla − reference| over the final sample; relative: divided by max |reference|.',
    'Allowed: atol + rtol·max|ref| (f32 1e-3 + 1e-3, bf16 5e-2 + 2e-2; docs/targets.md).',
    '',
    '| example | sampler | steps | variant | params | max error | relative | allowed | XLA compile s | run ms | ok |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.example} | ${r.sampler} | ${r.steps} | ${r.variant} | ${r.params.toLocaleString('en')} | ${fmt(r.maxErr)} | ` +
        `${r.maxErr === undefined ? '—' : fmt(r.maxErr / Math.max(r.maxRef!, 1e-30))} | ${fmt(r.allowed)} | ` +
        `${r.compileS?.toFixed(2) ?? '—'} | ${r.runMs?.toFixed(1) ?? '—'} | ${r.ok ? 'yes' : `**no**${r.failure ? `: ${r.failure}` : ''}`} |`,
    ),
    '',
  ].join('\n');
}

const python = findJaxPython();
if (!python) {
  console.error('no Python with JAX found: set DENOC_JAX_PYTHON, or make .venv-jax (python3 -m venv .venv-jax && .venv-jax/bin/pip install jax)');
  process.exit(2);
}
const platform = process.argv.includes('--platform') ? option('platform', 'cpu') : undefined;
const batch = Number(option('batch', '2'));
const variants = option('variants', Object.keys(VARIANTS).join(',')).split(',');
const only = option('only', '');
await useBackend('wasm');

const rows: Row[] = [];
const root = mkdtempSync(join(tmpdir(), 'denoc-xla-'));
for (const file of readdirSync('examples')
  .filter((f) => f.endsWith('.dn') && f.includes(only))
  .sort()) {
  const program = withRequiredSamplers(`examples/${file}`);
  for (const sampler of program.samplers) {
    const model = program.models.find((m) => m.name === sampler.modelName)!;
    const weights = initWeights(model.parameters, 7);
    const params = [...weights.values()].reduce((n, w) => n + w.data.length, 0);
    const graph = compileSampler(sampler.graph);
    const steps = (topoOrder(graph).find((n) => n.op === 'loop')?.attrs.count as number | undefined) ?? 0;
    for (const variant of variants) {
      const dir = join(root, `${file.replace('.dn', '')}-${sampler.name}-${variant}`);
      console.log(`${file} ${sampler.name} (${steps} steps) ${variant}`);
      await writeStableHLOArtifacts(graph, weights, dir, { reference: referenceRunner, ...VARIANTS[variant], dims: { B: batch }, seed: 3 });
      const { record, failure } = runCheck(python, dir, platform);
      const out = record?.outputs?.[0];
      rows.push({
        example: file,
        sampler: sampler.name,
        steps,
        variant,
        params,
        ok: Boolean(record?.ok),
        failure,
        maxErr: out?.max_err,
        maxRef: out?.max_ref,
        allowed: out?.allowed,
        compileS: record?.compile_s,
        runMs: record?.run_ms ?? undefined,
        device: record ? `${record.platform} (${record.device})` : undefined,
        jax: record?.jax,
      });
    }
  }
}

mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/xla.json', `${JSON.stringify(rows, null, 2)}\n`);
writeFileSync('bench/results/xla.md', markdown(rows, batch));
const failed = rows.filter((r) => !r.ok);
console.log(`\n${rows.length - failed.length} of ${rows.length} modules match the reference on XLA; wrote bench/results/xla.md`);
process.exit(failed.length ? 1 : 0);
