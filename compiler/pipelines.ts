/**
 * Every target-independent pass by name and the named pipelines: ordered pass lists with a comment on
 * each ordering constraint. Add a pass here when you write one. Targets keep their own passes
 * (targets/index.ts joins both tables for `denoc passes` and `--pipeline a,b,c`).
 * A pipeline spec that cannot be read is a DenocError IR0154.
 */
import { DenocError, suggest } from './core/diagnostics.ts';
import type { OptionValue, Pass } from './passes/pass.ts';
import type { PipelineStep } from './passes/runner.ts';
import { cse } from './passes/cse.ts';
import { dce } from './passes/dce.ts';
import { foldConstants } from './passes/fold-constants.ts';
import { foldBatchnorm } from './passes/fold-batchnorm.ts';
import { hoistLoopInvariant } from './passes/hoist-loop-invariant.ts';
import { lowRank } from './passes/low-rank.ts';
import { prune } from './passes/prune.ts';
import { remat } from './passes/remat.ts';

export type PassTable = Readonly<Record<string, Pass>>;

export const PASSES: PassTable = Object.freeze({
  [foldConstants.name]: foldConstants,
  [cse.name]: cse,
  [dce.name]: dce,
  [foldBatchnorm.name]: foldBatchnorm,
  [hoistLoopInvariant.name]: hoistLoopInvariant,
  [lowRank.name]: lowRank,
  [prune.name]: prune,
  // On a training step graph only (compiler/training/step.ts); in no named pipeline: `denoc train --remat`.
  [remat.name]: remat,
});

export const PIPELINES: Readonly<Record<string, readonly string[]>> = Object.freeze({
  default: [
    // First, so that everything computed from schedules becomes constants and per-step tables
    // before any pass looks for equal values or dead loop state.
    'fold-constants',
    // After fold-constants, so that only real tensor work is left to move: everything that does not
    // depend on the step (class embeddings, cross-attention K/V of a context) leaves the loop body.
    'hoist-loop-invariant',
    // After fold-constants and hoisting: folding makes new equal constants to merge, and the constants cse
    // moves into loop bodies leave their captures unused.
    'cse',
    // Last: removes the captures and carried values that folding, hoisting and cse left unread.
    'dce',
  ],
  none: [],
});

/**
 * Steps for a pipeline name (`default`), a comma-separated pass list with optional options
 * (`fold-constants{maxElements=1024,identities=false},cse,dce`), or a list of names.
 */
export function resolvePipeline(spec: string | readonly string[], passes: PassTable = PASSES): PipelineStep[] {
  if (typeof spec === 'string' && spec in PIPELINES) return PIPELINES[spec].map((name) => ({ pass: PASSES[name] }));
  const items = typeof spec === 'string' ? splitTopLevel(spec, ',').filter((s) => s.trim() !== '') : spec;
  return items.map((item) => parseStep(item.trim(), passes));
}

function parseStep(item: string, table: PassTable): PipelineStep {
  const m = /^([\w-]+)(?:\{(.*)\})?$/s.exec(item);
  if (!m) usage(`cannot read pipeline entry '${item}' (write name or name{key=value,...})`);
  const pass = table[m[1]];
  if (!pass) {
    const hint = suggest(m[1], [...Object.keys(table), ...Object.keys(PIPELINES)]);
    usage(`unknown pass '${m[1]}'${hint ? ` (did you mean '${hint}'?)` : ''}; passes: ${Object.keys(table).join(', ')}`);
  }
  if (m[2] === undefined) return { pass };
  const options: Record<string, OptionValue> = {};
  for (const kv of splitTopLevel(m[2], ',').filter((s) => s.trim() !== '')) {
    const eq = kv.indexOf('=');
    if (eq < 0) usage(`option '${kv.trim()}' of pass '${pass.name}' needs a value (key=value)`);
    const key = kv.slice(0, eq).trim();
    if (!(key in pass.options)) usage(`pass '${pass.name}' has no option '${key}' (options: ${Object.keys(pass.options).join(', ') || 'none'})`);
    options[key] = parseValue(kv.slice(eq + 1).trim(), pass.options[key].default);
  }
  return { pass, options };
}

/** Reads an option value as the kind of its declared default. */
function parseValue(text: string, like: OptionValue): OptionValue {
  if (typeof like === 'boolean') {
    if (text !== 'true' && text !== 'false') usage(`expected true or false, got '${text}'`);
    return text === 'true';
  }
  if (typeof like === 'number') {
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) usage(`expected a number, got '${text}'`);
    return n;
  }
  return text;
}

function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}') depth--;
    else if (text[i] === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function usage(message: string): never {
  throw new DenocError({ code: 'IR0154', severity: 'error', message });
}
