/**
 * The ONNX model under construction and its encoding. `OnnxGraphWriter` collects nodes, initializers
 * and graph inputs/outputs in the order they are emitted (ONNX wants nodes topologically sorted,
 * which emission order is); `encodeModel` turns the result into ModelProto bytes with onnx-proto's
 * protobufjs-generated schema (github.com/onnx/onnx, onnx/onnx.proto), so no wire format is hand-written.
 */
import onnxProto, { type onnx } from 'onnx-proto';

// onnx-proto is CommonJS: its namespace is a property of the default export (types come by name).
const proto = onnxProto.onnx;

/** Element types the target emits; i64 and u8 appear only inside lowerings (shapes, axes, Philox words). */
export type OnnxDType = 'f32' | 'i32' | 'i64' | 'bool';

/** TensorProto.DataType values (onnx.proto). */
export const DATA_TYPE: Readonly<Record<OnnxDType, onnx.TensorProto.DataType>> = {
  f32: proto.TensorProto.DataType.FLOAT,
  i32: proto.TensorProto.DataType.INT32,
  i64: proto.TensorProto.DataType.INT64,
  bool: proto.TensorProto.DataType.BOOL,
};

/** Opset of the default domain: 18 for BitwiseXor (Philox) and Reduce* with axes as an input. */
export const OPSET = 18;

/** An attribute with its ONNX kind spelled out (a float attribute may hold an integer value). */
export type OnnxAttr = { readonly f: number } | { readonly i: number } | { readonly s: string } | { readonly ints: readonly number[] };

export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly shape: readonly number[];
}

type TensorData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** Builds one ONNX graph: every emit returns the name of the value it defines. */
export class OnnxGraphWriter {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly scalars = new Map<string, string>();
  private fresh = 0;

  /** A name no lowering has used: `h<n>`. */
  newName(): string {
    return `h${this.fresh++}`;
  }

  emit(op: string, inputs: readonly string[], attrs: Readonly<Record<string, OnnxAttr>> = {}, out = this.newName()): string {
    this.nodes.push({ opType: op, input: [...inputs], output: [out], name: `${op}_${this.nodes.length}`, attribute: encodeAttrs(attrs) });
    return out;
  }

  /** An initializer holding `data` (row-major) of `shape`. */
  initializer(dtype: OnnxDType, shape: readonly number[], data: TensorData, name = this.newName()): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.initializers.push({ name, dims: [...shape], dataType: DATA_TYPE[dtype], rawData: bytes.slice() });
    return name;
  }

  /** A rank-0 or rank-1 constant, shared between uses of the same value. */
  constant(dtype: OnnxDType, values: readonly number[], shape: readonly number[] = [values.length]): string {
    const key = `${dtype}:${shape.join('x')}:${values.join(',')}`;
    const known = this.scalars.get(key);
    if (known) return known;
    const data =
      dtype === 'f32'
        ? Float32Array.from(values)
        : dtype === 'i64'
          ? BigInt64Array.from(values.map((v) => BigInt(v)))
          : dtype === 'i32'
            ? Int32Array.from(values)
            : Uint8Array.from(values);
    const name = this.initializer(dtype, shape, data);
    this.scalars.set(key, name);
    return name;
  }

  /**
   * The graph's proto with its declared inputs and outputs. Initializers no node reads (a constant whose
   * only reader lowered to something else, such as a flip's indices) are left out.
   */
  graph(name: string, inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[]): onnx.IGraphProto {
    const read = new Set([...this.nodes.flatMap((n) => n.input ?? []), ...outputs.map((o) => o.name)]);
    const initializer = this.initializers.filter((t) => read.has(t.name ?? ''));
    return { name, node: this.nodes, initializer, input: inputs.map(valueInfo), output: outputs.map(valueInfo) };
  }

  get nodeCount(): number {
    return this.nodes.length;
  }
}

function encodeAttrs(attrs: Readonly<Record<string, OnnxAttr>>): onnx.IAttributeProto[] {
  const T = proto.AttributeProto.AttributeType;
  return Object.entries(attrs).map(([name, a]) => {
    if ('f' in a) return { name, type: T.FLOAT, f: a.f };
    if ('i' in a) return { name, type: T.INT, i: a.i };
    if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
    return { name, type: T.INTS, ints: [...a.ints] };
  });
}

function valueInfo(v: OnnxValueInfo): onnx.IValueInfoProto {
  return {
    name: v.name,
    type: { tensorType: { elemType: DATA_TYPE[v.dtype], shape: { dim: v.shape.map((d) => ({ dimValue: d })) } } },
  };
}

/** ModelProto bytes: IR version 8, the default domain at OPSET. */
export function encodeModel(graph: onnx.IGraphProto): Uint8Array {
  const model = proto.ModelProto.create({
    irVersion: 8,
    producerName: 'denoc',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: OPSET }],
    graph,
  });
  return proto.ModelProto.encode(model).finish();
}
