/**
 * Shared CLI plumbing: reading a .dn file, picking a model or sampler by name, binding weights.
 */
import { existsSync } from 'node:fs';
import { compileFile, type ModelArtifact, type Program, type SamplerArtifact } from '../dsl/index.ts';
import { type Diagnostic, fail, formatDiagnostic, suggest } from '../compiler/core/diagnostics.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';
import { bindWeights } from '../runtime/weights/bind.ts';
import { initWeights } from '../runtime/weights/init.ts';
import { loadWeightsFile } from '../runtime/weights/files.ts';

export function loadProgram(file: string): Program {
  if (!existsSync(file)) fail('CLI0001', `cannot read '${file}': no such file`);
  return compileFile(file);
}

function pick<T extends { name: string }>(items: readonly T[], name: string | undefined, what: string, file: string): T {
  if (items.length === 0) fail('CLI0002', `${file} defines no ${what}`);
  if (name === undefined) return items[items.length - 1];
  const found = items.find((i) => i.name === name);
  if (found) return found;
  const hint = suggest(
    name,
    items.map((i) => i.name),
  );
  return fail(
    'CLI0003',
    `${file} has no ${what} named '${name}' (has: ${items.map((i) => i.name).join(', ')})`,
    undefined,
    hint ? `did you mean '${hint}'?` : undefined,
  );
}

export function pickSampler(program: Program, name?: string): SamplerArtifact {
  return pick(program.samplers, name, 'sampler', program.file);
}

export function pickModel(program: Program, name?: string): ModelArtifact {
  return pick(program.models, name, 'model', program.file);
}

export interface LoadedWeights {
  readonly weights: WeightSet;
  /** True when no file was given and the weights are seeded random values. */
  readonly random: boolean;
}

/**
 * Binds a safetensors file to the model's parameters, or makes seeded random weights. With
 * `allowNonFinite` (--allow-nonfinite-weights), NaN or ±Inf in the file is a warning on stderr, not WGT0014.
 */
export function loadWeights(model: ModelArtifact, file: string | undefined, seed: number, allowNonFinite = false): LoadedWeights {
  if (file === '') fail('CLI0004', '--weights is empty: name a .safetensors file, or leave the option out for random weights');
  if (!file && model.parameters.length === 0) return { weights: new Map(), random: false };
  if (!file) {
    return { weights: initWeights(model.parameters, seed), random: true };
  }
  if (!existsSync(file)) fail('CLI0004', `cannot read weights '${file}': no such file`);
  const warn = (d: Diagnostic) => process.stderr.write(`${formatDiagnostic(d)}\n`);
  return { weights: bindWeights(model.parameters, loadWeightsFile(file, { nonFinite: allowNonFinite ? 'warn' : 'error', warn })), random: false };
}
