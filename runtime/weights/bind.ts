/**
 * Binds loaded tensors to a model's parameters by dotted path and checks their shapes.
 * Every problem (missing, unexpected, wrong shape, wrong kind) is collected and reported at once in
 * one DenocError, one diagnostic each, with "did you mean" hints for near-miss names, so converting a
 * checkpoint from another tool takes one round of fixes rather than one per tensor.
 */
import { DenocError, suggest, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { formatShape, formatType, isFloat } from '../../compiler/core/ir/types.ts';
import type { WeightCode } from './diagnostic-codes.ts';
import type { ParameterSpec } from './init.ts';
import { tensorEntries, type Tensor, type TensorCollection, type WeightSet } from '../../compiler/core/tensor.ts';

export interface BindOptions {
  /** Ignore tensors that match no parameter (EMA copies, optimizer state) instead of failing. */
  readonly allowUnexpected?: boolean;
  /** Removed from the front of tensor names before matching, e.g. 'model.' or 'unet.'. */
  readonly stripPrefix?: string;
  /** File name shown in messages. */
  readonly source?: string;
}

function diag(code: WeightCode, message: string, spec?: ParameterSpec, hint?: string): Diagnostic {
  return { code, severity: 'error', message, span: spec?.span, hint };
}

function sameDims(a: readonly (number | string)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function shapeHint(expected: readonly number[], actual: readonly number[]): string | undefined {
  if (expected.length === 2 && actual.length === 2 && expected[0] === actual[1] && expected[1] === actual[0]) {
    return 'looks transposed: denoc stores Linear weights as [in, out] (y = x @ W + b); PyTorch stores [out, in]';
  }
  const count = (s: readonly number[]) => s.reduce((n, d) => n * d, 1);
  return count(expected) === count(actual) ? 'same number of elements: the converter may need a reshape' : undefined;
}

function missingHint(path: string, leftover: readonly string[]): string | undefined {
  const prefixed = leftover.find((name) => name.endsWith(`.${path}`));
  if (prefixed) return `the weights name it '${prefixed}': bind with stripPrefix '${prefixed.slice(0, -path.length)}'`;
  const near = suggest(path, leftover);
  return near ? `did you mean '${near}'?` : undefined;
}

function unexpectedHint(name: string, missing: readonly string[]): string | undefined {
  const stripped = missing.find((path) => name.endsWith(`.${path}`));
  if (stripped) return `it may be parameter '${stripped}': bind with stripPrefix '${name.slice(0, -stripped.length)}'`;
  const near = suggest(name, missing);
  return near ? `did you mean '${near}'?` : undefined;
}

function checkSpecs(specs: readonly ParameterSpec[], problems: Diagnostic[]): void {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.path)) problems.push(diag('WGT0106', `parameter '${spec.path}' is declared twice`, spec));
    seen.add(spec.path);
    if (!spec.type.shape.every((d) => typeof d === 'number')) {
      problems.push(diag('WGT0105', `parameter '${spec.path}' has type ${formatType(spec.type)}; parameter shapes must be static`, spec));
    }
  }
}

function checkTensor(spec: ParameterSpec, t: Tensor<Float32Array>, where: string): Diagnostic | undefined {
  const symbolic = !spec.type.shape.every((d) => typeof d === 'number');
  if (!symbolic && !sameDims(spec.type.shape, t.shape)) {
    return diag(
      'WGT0103',
      `parameter '${spec.path}' expects shape ${formatShape(spec.type.shape)} but ${where} has ${formatShape(t.shape)}`,
      spec,
      shapeHint(spec.type.shape as number[], t.shape),
    );
  }
  if (t.dtype === 'i32' && isFloat(spec.type.dtype)) {
    return diag('WGT0104', `parameter '${spec.path}' is ${spec.type.dtype} but ${where} stores it as i32`, spec);
  }
  return undefined;
}

/**
 * Matches tensors to parameters; returns the bound weights (each tensor keeps its data and takes its
 * parameter's dtype) or throws every problem in one error.
 */
export function bindWeights(specs: readonly ParameterSpec[], weights: TensorCollection, opts: BindOptions = {}): WeightSet {
  const where = opts.source ? `'${opts.source}'` : 'the weights';
  const prefix = opts.stripPrefix ?? '';
  const loaded = new Map<string, Tensor<Float32Array>>();
  for (const [name, t] of tensorEntries(weights)) {
    loaded.set(prefix && name.startsWith(prefix) ? name.slice(prefix.length) : name, t);
  }
  const problems: Diagnostic[] = [];
  checkSpecs(specs, problems);
  const declared = new Set(specs.map((s) => s.path));
  const leftover = [...loaded.keys()].filter((n) => !declared.has(n));
  const missing = specs.filter((s) => !loaded.has(s.path)).map((s) => s.path);
  const bound = new Map<string, Tensor<Float32Array>>();
  for (const spec of specs) {
    if (bound.has(spec.path)) continue;
    const t = loaded.get(spec.path);
    if (!t) {
      problems.push(
        diag('WGT0101', `parameter '${spec.path}' (${formatType(spec.type)}) is missing from ${where}`, spec, missingHint(spec.path, leftover)),
      );
      continue;
    }
    const problem = checkTensor(spec, t, where);
    if (problem) problems.push(problem);
    bound.set(spec.path, { dtype: spec.type.dtype, shape: [...t.shape], data: t.data });
  }
  if (!opts.allowUnexpected) {
    for (const name of leftover) {
      problems.push(
        diag(
          'WGT0102',
          `tensor '${name}' ${formatShape(loaded.get(name)?.shape ?? [])} in ${where} is no parameter of the model`,
          undefined,
          unexpectedHint(name, missing),
        ),
      );
    }
  }
  if (problems.length > 0) throw new DenocError(problems);
  return bound;
}
