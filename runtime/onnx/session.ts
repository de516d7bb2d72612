/**
 * Runs an ONNX artifact (targets/onnx) on onnxruntime-node's CPU provider. A session is created once
 * per artifact (2 intra-op threads, sequential execution, every graph optimization on) and run with
 * the graph's inputs and, when the model reads them as inputs, the weights by path. Outputs come
 * back as Float32Arrays in the graph's output order (integer and bool outputs converted).
 */
import * as ort from 'onnxruntime-node';
import { fail } from '../../compiler/core/diagnostics.ts';
import type { WeightSet } from '../../compiler/core/tensor.ts';
import type { OnnxArtifact, OnnxValueInfo } from '../../targets/onnx/artifact.ts';

export interface OnnxSessionOptions {
  /** Intra-op threads (default 2, the cores this project measures on). */
  readonly threads?: number;
}

export interface OnnxRunInputs {
  readonly inputs: Readonly<Record<string, Float32Array | Int32Array>>;
  /** Required when the artifact reads its weights as inputs. */
  readonly weights?: WeightSet;
}

const ORT_TYPE = { f32: 'float32', i32: 'int32', i64: 'int64', bool: 'bool' } as const;

function feed(info: OnnxValueInfo, data: Float32Array | Int32Array | undefined, what: string): ort.Tensor {
  const count = info.shape.reduce((a, d) => a * d, 1);
  if (!data || data.length !== count) {
    fail(
      what === 'weight' ? 'ONNX0201' : 'ONNX0202',
      `${what} '${info.name}' [${info.shape.join(', ')}] ${data ? `has ${data.length} values, not ${count}` : 'was not provided'}`,
    );
  }
  // A Float32Array or Int32Array of the right type is fed as is: onnxruntime only reads it during the run.
  const typed =
    info.dtype === 'i32'
      ? data instanceof Int32Array
        ? data
        : Int32Array.from(data)
      : info.dtype === 'f32'
        ? data instanceof Float32Array
          ? data
          : Float32Array.from(data)
        : Uint8Array.from(data, (v) => (v ? 1 : 0));
  return info.dtype === 'bool'
    ? new ort.Tensor('bool', typed as Uint8Array, [...info.shape])
    : new ort.Tensor(ORT_TYPE[info.dtype], typed as Float32Array | Int32Array, [...info.shape]);
}

export class OnnxSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly artifact: OnnxArtifact,
  ) {}

  static async create(artifact: OnnxArtifact, opts: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const session = await ort.InferenceSession.create(artifact.model, {
      intraOpNumThreads: opts.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    return new OnnxSession(session, artifact);
  }

  async run(run: OnnxRunInputs): Promise<Float32Array[]> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const info of this.artifact.inputs) feeds[info.name] = feed(info, run.inputs[info.name], 'input');
    for (const info of this.artifact.weights) feeds[info.name] = feed(info, run.weights?.get(info.name)?.data, 'weight');
    const results = await this.session.run(feeds);
    // Outputs are fresh per run, so a float32 result is handed on without a copy.
    return this.artifact.outputs.map((o) => {
      const data = results[o.name].data;
      return data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
    });
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** One run of an artifact in a session of its own. */
export async function runOnOnnx(artifact: OnnxArtifact, run: OnnxRunInputs, opts?: OnnxSessionOptions): Promise<Float32Array[]> {
  const session = await OnnxSession.create(artifact, opts);
  try {
    return await session.run(run);
  } finally {
    await session.release();
  }
}
