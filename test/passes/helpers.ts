/**
 * Shared helpers for pass tests (see STYLE.md):
 *   expectGolden(pass, 'case' | {input, expected})  — run one pass on IR text, compare the printed
 *       result with the expected text (both normalized by parse → print); the pass must report a change.
 *   expectUnchanged(pass, 'case' | irText | graph)   — the pass must report no change and print the same.
 *   expectSameNumerics(pass, graph | irText, {atol}) — run before/after on the reference executor with
 *       deterministic random inputs and weights (or given ones) and compare every output.
 * A 'case' name reads test/golden/<pass>/<case>.ir: the input IR, a line `// ---- expected`, then
 * the expected IR (expectUnchanged reads only the input part). `//` comments are allowed anywhere.
 * Every run goes through runPipeline with verification, so a pass that breaks the IR fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { parseGraph } from '../../compiler/core/ir/ir-parser.ts';
import { tensorOf, allNodesDeep, type Graph } from '../../compiler/core/ir/node.ts';
import { printGraph } from '../../compiler/core/ir/printer.ts';
import { bindShape, isFloat, numel, type TensorType } from '../../compiler/core/ir/types.ts';
import type { OptionValue, Pass, PassContext } from '../../compiler/passes/pass.ts';
import { runPipeline, type PassRun } from '../../compiler/passes/runner.ts';
import { runGraph, type TensorSource } from '../../runtime/reference/executor.ts';
import { tensor, type Tensor, type WeightSet } from '../../compiler/core/tensor.ts';

export const GOLDEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden');
const EXPECTED_MARKER = /^\/\/ -+ ?expected\b.*$/m;

export interface PassRunOptions {
  readonly options?: Readonly<Record<string, OptionValue>>;
  readonly ctx?: PassContext;
  /** Where case files live (default test/golden). */
  readonly goldenDir?: string;
}

export interface PassOutcome {
  readonly input: Graph;
  readonly graph: Graph;
  readonly run: PassRun;
  readonly weights?: WeightSet;
}

/** Parses IR text (throws DenocError with line:col on bad text). */
export function parseIR(text: string): Graph {
  return parseGraph(text, { file: '<test>' });
}

function readCase(pass: Pass, name: string, dir = GOLDEN_DIR): { input: string; expected?: string } {
  const text = readFileSync(path.join(dir, pass.name, `${name}.ir`), 'utf8');
  const m = EXPECTED_MARKER.exec(text);
  return m ? { input: text.slice(0, m.index), expected: text.slice(m.index + m[0].length) } : { input: text };
}

function inputGraph(pass: Pass, source: string | Graph, opts: PassRunOptions): Graph {
  if (typeof source !== 'string') return source;
  return parseIR(/\bgraph\s+@/.test(source) ? source : readCase(pass, source, opts.goldenDir).input);
}

/** Runs one pass through the verifying runner. */
export function runPass(pass: Pass, source: string | Graph, opts: PassRunOptions = {}): PassOutcome {
  const input = inputGraph(pass, source, opts);
  const result = runPipeline(input, [{ pass, options: opts.options }], { verify: true, ctx: opts.ctx });
  return { input, graph: result.graph, run: result.stats[0], weights: result.weights };
}

/** The pass turns `input` into exactly `expected` (compared as canonical printed text). */
export function expectGolden(pass: Pass, golden: string | { input: string; expected: string }, opts: PassRunOptions = {}): PassOutcome {
  const { input, expected } = typeof golden === 'string' ? readCase(pass, golden, opts.goldenDir) : golden;
  if (expected === undefined) throw new Error(`golden case '${golden as string}' of ${pass.name} has no '// ---- expected' section`);
  const outcome = runPass(pass, parseIR(input), opts);
  expect(printGraph(outcome.graph)).toBe(printGraph(parseIR(expected)));
  expect(outcome.run.changed, `${pass.name} reported no change`).toBe(true);
  return outcome;
}

/** The pass leaves the graph as it is and says so. */
export function expectUnchanged(pass: Pass, source: string | Graph, opts: PassRunOptions = {}): PassOutcome {
  const outcome = runPass(pass, source, opts);
  expect(printGraph(outcome.graph)).toBe(printGraph(outcome.input));
  expect(outcome.run.changed, `${pass.name} reported a change`).toBe(false);
  return outcome;
}

export interface NumericsOptions extends PassRunOptions {
  readonly dims?: Readonly<Record<string, number>>;
  readonly inputs?: Readonly<Record<string, TensorSource>>;
  /** Weight values by path; default deterministic random ones (uniform in ±weightScale). */
  readonly weights?: WeightSet;
  readonly weightScale?: number;
  /** Integer inputs are drawn from [0, intRange). */
  readonly intRange?: number;
  readonly atol?: number;
  readonly rtol?: number;
  readonly backend?: 'cpu' | 'wasm';
}

/** Deterministic uniform numbers in [0, 1) from a string seed (mulberry32 over an FNV-1a hash). */
export function seededRandom(seed: string): () => number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random data for a type with dims bound: floats uniform in ±scale, ints in [0, intRange), bools 0/1. */
export function randomData(
  type: TensorType,
  dims: Readonly<Record<string, number>>,
  seed: string,
  scale = 0.5,
  intRange = 4,
): { data: Float32Array | Int32Array; shape: number[] } {
  const shape = bindShape(type.shape, dims) as number[];
  const rand = seededRandom(seed);
  const n = numel(shape);
  if (isFloat(type.dtype)) return { data: Float32Array.from({ length: n }, () => (2 * rand() - 1) * scale), shape };
  const range = type.dtype === 'bool' ? 2 : intRange;
  return { data: Int32Array.from({ length: n }, () => Math.floor(rand() * range)), shape };
}

function defaultWeights(graph: Graph, dims: Readonly<Record<string, number>>, scale: number): WeightSet {
  const out = new Map<string, Tensor<Float32Array>>();
  for (const n of allNodesDeep(graph)) {
    if (n.op === 'weight' && !out.has(n.attrs.path as string)) {
      const { data, shape } = randomData(tensorOf(n), dims, `w:${String(n.attrs.path)}`, scale);
      out.set(n.attrs.path as string, tensor(shape, data as Float32Array));
    }
  }
  return out;
}

async function evaluate(graph: Graph, inputs: Record<string, TensorSource>, weights: WeightSet, o: NumericsOptions): Promise<Float32Array[]> {
  const outs = await runGraph(graph, { inputs, weights, dims: o.dims, backend: o.backend });
  const data = outs.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(outs);
  return data;
}

/** Before and after the pass, every output agrees within atol + rtol·|before|; returns the largest difference. */
export async function expectSameNumerics(
  pass: Pass,
  source: string | Graph,
  o: NumericsOptions = {},
): Promise<{ maxAbsDiff: number; outcome: PassOutcome }> {
  const dims = o.dims ?? {};
  const outcome = runPass(pass, source, o);
  const inputs: Record<string, TensorSource> = { ...o.inputs };
  for (const p of outcome.input.params) {
    const name = p.attrs.name as string;
    inputs[name] ??= randomData(tensorOf(p), dims, `in:${name}`, 1, o.intRange);
  }
  const before = o.weights ?? o.ctx?.weights ?? defaultWeights(outcome.input, dims, o.weightScale ?? 0.5);
  const after = new Map([...before, ...(outcome.weights ?? [])]);
  const ref = await evaluate(outcome.input, inputs, before, o);
  const got = await evaluate(outcome.graph, inputs, after, o);
  expect(got.length).toBe(ref.length);
  let maxAbsDiff = 0;
  ref.forEach((r, k) => {
    expect(got[k].length, `output ${k} size`).toBe(r.length);
    for (let i = 0; i < r.length; i++) {
      const diff = Math.abs(got[k][i] - r[i]);
      const sameSpecial = Object.is(got[k][i], r[i]);
      if (!sameSpecial && !(diff <= (o.atol ?? 1e-6) + (o.rtol ?? 0) * Math.abs(r[i]))) {
        expect.fail(`output ${k}[${i}]: ${got[k][i]} after ${pass.name} vs ${r[i]} before (|diff| ${diff})`);
      }
      if (!sameSpecial) maxAbsDiff = Math.max(maxAbsDiff, diff);
    }
  });
  return { maxAbsDiff, outcome };
}
