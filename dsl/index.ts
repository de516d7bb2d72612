/**
 * The front end's public API, used by the CLI and every other part:
 *
 *   compileFile(path)             → Program (models and sampler instances as IR graphs); throws a
 *                                   DenocError holding every diagnostic when anything is wrong
 *   compileSource(text, file)     → the same for source text
 *   checkSource(text, file)       → the diagnostics only; never throws for bad input
 *   checkFile(path)               → the same for a file (one that cannot be read is a diagnostic)
 *
 * Phases: parse (syntax/, DSL00xx) → resolve names and check declarations (semantics/, DSL01xx/02xx)
 * → lower to IR (lower/, DSL03xx-05xx, and IR codes at the DSL span of the expression that built the
 * node). Lowering runs only on programs that passed the earlier phases, so one mistake does not
 * cascade. This file hands the builtins and std primitives (builtins/) to resolution and lowering,
 * which know them only through semantics/builtin-names.ts and lower/context.ts.
 */
import { DenocError, type Diagnostic } from '../compiler/core/diagnostics.ts';
import '../compiler/core/ops/index.ts';
import { BUILTINS, STD_PRIMITIVES } from './builtins/index.ts';
import { declaredTraining } from './builtins/samplers.ts';
import { DSL, dslError } from './diagnostic-codes.ts';
import { lowerProgram, type ModelArtifact, type SamplerArtifact } from './lower/program.ts';
import { checkDeclarations } from './semantics/check.ts';
import { loadProgram, type LoadOptions } from './semantics/resolve.ts';
import { readSourceFile } from './semantics/source-file.ts';

export type { InitSpec, ParameterSpec } from '../compiler/core/artifact.ts';
export type { ModelArtifact, SamplerArtifact } from './lower/program.ts';
export { DSL_CODE_DESCRIPTIONS } from './diagnostic-codes.ts';

export interface Program {
  readonly file: string;
  readonly models: readonly ModelArtifact[];
  readonly samplers: readonly SamplerArtifact[];
}

export type CompileOptions = LoadOptions;

interface Analysis {
  readonly program?: Program;
  readonly diagnostics: readonly Diagnostic[];
}

function analyze(text: string, file: string, opts: CompileOptions): Analysis {
  const loaded = loadProgram(text, file, opts, STD_PRIMITIVES);
  const diagnostics = [...loaded.diagnostics];
  for (const mod of loaded.modules) diagnostics.push(...checkDeclarations(mod.ast));
  if (!loaded.main || diagnostics.some((d) => d.severity === 'error')) return { diagnostics: tidy(diagnostics) };
  const lowered = lowerProgram(loaded.main, BUILTINS, declaredTraining);
  const all = tidy([...diagnostics, ...lowered.diagnostics]);
  if (all.some((d) => d.severity === 'error')) return { diagnostics: all };
  return { program: { file, models: lowered.models, samplers: lowered.samplers }, diagnostics: all };
}

/**
 * Drops repeats (a block instantiated three times reports its mistake once) and orders errors by
 * position, each followed by its notes.
 */
function tidy(diags: readonly Diagnostic[]): Diagnostic[] {
  const groups: Diagnostic[][] = [];
  for (const d of diags) {
    if (d.severity === 'note' && groups.length) groups[groups.length - 1].push(d);
    else groups.push([d]);
  }
  const seen = new Set<string>();
  const unique = groups.filter((g) => {
    const s = g[0].span;
    const key = `${g[0].code}@${s?.file}:${s?.line}:${s?.col}:${g[0].message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const pos = (d: Diagnostic): [string, number, number] => [d.span?.file ?? '', d.span?.line ?? 0, d.span?.col ?? 0];
  unique.sort((a, b) => {
    const [fa, la, ca] = pos(a[0]),
      [fb, lb, cb] = pos(b[0]);
    return fa === fb ? la - lb || ca - cb : fa < fb ? -1 : 1;
  });
  return unique.flat();
}

function internalError(e: unknown, file: string): Diagnostic {
  const message = e instanceof Error ? e.message : String(e);
  return dslError(DSL.Internal, `internal compiler error while compiling ${file}: ${message}`);
}

/** All diagnostics of a source text; never throws for bad input. */
export function checkSource(text: string, file: string, opts: CompileOptions = {}): Diagnostic[] {
  try {
    return [...analyze(text, file, opts).diagnostics];
  } catch (e) {
    return [internalError(e, file)];
  }
}

export function compileSource(text: string, file: string, opts: CompileOptions = {}): Program {
  let result: Analysis;
  try {
    result = analyze(text, file, opts);
  } catch (e) {
    throw new DenocError(internalError(e, file));
  }
  if (!result.program) throw new DenocError(result.diagnostics);
  return result.program;
}

/** The text of a source file, or the diagnostic saying why it cannot be read (not a regular file, too large). */
function readSource(path: string): string | Diagnostic {
  const text = readSourceFile(path);
  return text === undefined ? dslError(DSL.ModuleNotFound, `cannot read '${path}' (not a regular file)`) : text;
}

export function compileFile(path: string, opts: CompileOptions = {}): Program {
  const text = readSource(path);
  if (typeof text === 'object') throw new DenocError(text);
  return compileSource(text, path, opts);
}

/** All diagnostics of a source file, a file that cannot be read included; never throws for bad input. */
export function checkFile(path: string, opts: CompileOptions = {}): Diagnostic[] {
  const text = readSource(path);
  return typeof text === 'object' ? [text] : checkSource(text, path, opts);
}
