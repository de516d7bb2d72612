/**
 * Writes a runnable StableHLO artifact directory for one sampler:
 *   sampler.mlir         the module (`@main(inputs..., weights...)`)
 *   weights.safetensors  the weights by dotted path (f32; the manifest says which arguments are bf16)
 *   manifest.json        argument order, shapes and dtypes, options, files, comparison tolerance
 *   input_<name>.npy     the inputs the reference was run with
 *   reference_<i>.npy    the reference executor's outputs for those inputs (run by the driver, api/)
 *   README.md            how to run it with JAX (scripts/xla-check.py)
 */
import { join } from 'node:path';
import { ensureFolder, writeFileAtomic } from '../../compiler/core/output-file.ts';
import { fail } from '../../compiler/core/diagnostics.ts';
import type { Graph } from '../../compiler/core/ir/node.ts';
import { bindType, type TensorType } from '../../compiler/core/ir/types.ts';
import { randn } from '../../compiler/core/numeric/rng.ts';
import { writeSafetensors } from '../../compiler/core/safetensors.ts';
import type { Tensor, WeightSet } from '../../compiler/core/tensor.ts';
import { emitStableHLO, type ManifestTensor, type StableHLOManifest } from './emit.ts';
import { encodeNpy } from './npy.ts';
import type { StableHLOOptions } from './options.ts';
import { elemCount } from './types.ts';

export type InputData = Float32Array | Int32Array;

/**
 * The expected outputs of `graph` for the artifact's inputs and weights: the driver passes the
 * reference executor (api/), so the target itself never runs anything.
 */
export type ReferenceRunner = (
  graph: Graph,
  inputs: Readonly<Record<string, InputData>>,
  weights: WeightSet,
  dims: Readonly<Record<string, number>>,
) => Promise<InputData[]>;

export interface ArtifactOptions extends StableHLOOptions {
  /** Graph inputs by parameter name; others default to `seed` for i32 scalars, 0 for other ints, noise for floats. */
  readonly inputs?: Readonly<Record<string, InputData>>;
  readonly seed?: number;
  /** Writes reference_<i>.npy from these outputs; without it the artifact has no reference files. */
  readonly reference?: ReferenceRunner;
}

/** How closely XLA's result must match the reference (max |a−b| ≤ atol + rtol·max|ref|); see docs/targets.md. */
export const TOLERANCE = { f32: { atol: 1e-3, rtol: 1e-3 }, bf16: { atol: 5e-2, rtol: 2e-2 } } as const;

export interface ArtifactResult {
  readonly manifest: StableHLOManifest;
  readonly files: readonly string[];
}

function defaultInput(t: ManifestTensor, seed: number): InputData {
  const n = elemCount(t.shape);
  if (t.dtype === 'i32') return n === 1 && t.shape.length === 0 ? Int32Array.of(seed) : new Int32Array(n);
  return randn(seed, 0xd5, 0, n);
}

/** The weights the module reads, in the shapes its arguments have. */
function weightData(weights: WeightSet, manifest: StableHLOManifest): Map<string, Tensor<Float32Array>> {
  const missing: string[] = [];
  const out = new Map<string, Tensor<Float32Array>>();
  for (const w of manifest.weights) {
    const t = weights.get(w.name);
    if (!t || t.data.length !== elemCount(w.shape)) missing.push(`${w.name} [${w.shape.join(', ')}]${t ? ` (got ${t.data.length} values)` : ''}`);
    else out.set(w.name, { dtype: t.dtype, shape: w.shape, data: t.data });
  }
  if (missing.length) fail('HLO0401', `weights missing or of the wrong size for the StableHLO artifact: ${missing.join('; ')}`);
  return out;
}

function readme(manifest: StableHLOManifest): string {
  const args = [...manifest.inputs.map((t) => `${t.name}: ${t.dtype}[${t.shape.join(',')}]`), `${manifest.weights.length} weights`];
  return [
    `# ${manifest.graph}: StableHLO sampler (denoc)`,
    '',
    `\`sampler.mlir\` holds the whole sampler as one module; \`@main(${args.join(', ')})\` returns the sample.`,
    `Options: precision ${manifest.options.precision}, tile ${manifest.options.tile}, unroll ${manifest.options.unroll}.`,
    '',
    "Run it with JAX on whatever backend is installed (CPU, GPU or TPU) and compare with denoc's reference:",
    '',
    '```sh',
    'python3 scripts/xla-check.py path/to/this/dir            # default backend',
    'python3 scripts/xla-check.py path/to/this/dir --platform cpu',
    '```',
    '',
    "The script parses the module with jaxlib's MLIR bindings, compiles it with the backend's PJRT client,",
    'feeds `input_*.npy` and `weights.safetensors` in the order `manifest.json` lists, and compares the',
    'result with `reference_*.npy` using the tolerance in the manifest.',
    '',
  ].join('\n');
}

/** Emits the module, runs `opts.reference` on the same inputs, and writes the artifact directory. */
export async function writeStableHLOArtifacts(graph: Graph, weights: WeightSet, outDir: string, opts: ArtifactOptions = {}): Promise<ArtifactResult> {
  const { inputs = {}, seed = 0, reference, ...emitOpts } = opts;
  const { text, manifest } = emitStableHLO(graph, emitOpts);
  const wdata = weightData(weights, manifest);
  const inputData = Object.fromEntries(manifest.inputs.map((t) => [t.name, inputs[t.name] ?? defaultInput(t, seed)]));
  const outputs = reference ? await reference(graph, inputData, wdata, manifest.options.dims) : [];
  ensureFolder(outDir);
  const files: string[] = [];
  const put = (name: string, bytes: Uint8Array | string): void => {
    writeFileAtomic(join(outDir, name), bytes);
    files.push(name);
  };
  put('sampler.mlir', text);
  put('weights.safetensors', writeSafetensors(wdata));
  const inputFiles: Record<string, string> = {};
  for (const t of manifest.inputs) {
    inputFiles[t.name] = `input_${t.name}.npy`;
    put(inputFiles[t.name], encodeNpy(inputData[t.name], t.shape));
  }
  const referenceFiles = outputs.map((data, i) => {
    const shape = bindType(graph.outputs[i].type as TensorType, manifest.options.dims).shape as number[];
    put(`reference_${i}.npy`, encodeNpy(data, shape));
    return `reference_${i}.npy`;
  });
  const full = {
    ...manifest,
    files: { module: 'sampler.mlir', weights: 'weights.safetensors', inputs: inputFiles, reference: referenceFiles },
    tolerance: TOLERANCE[manifest.options.precision],
  };
  put('manifest.json', `${JSON.stringify(full, null, 2)}\n`);
  put('README.md', readme(manifest));
  return { manifest, files };
}
