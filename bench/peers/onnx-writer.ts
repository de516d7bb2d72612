/**
 * A minimal ONNX serializer: encodes ModelProto / GraphProto / NodeProto / TensorProto /
 * ValueInfoProto / AttributeProto in the protobuf wire format, so the benchmark can hand
 * onnxruntime a model built in memory without a protobuf dependency. Field numbers are those of
 * onnx.proto (github.com/onnx/onnx, onnx/onnx.proto); repeated scalars are written unpacked, which
 * proto2 (onnx.proto's syntax) parsers expect and every parser accepts.
 */

export type OnnxDType = 'f32' | 'i32' | 'i64' | 'bool';
/** TensorProto.DataType enum values. */
export const DATA_TYPE: Readonly<Record<OnnxDType, number>> = { f32: 1, i32: 6, i64: 7, bool: 9 };

/** An attribute with its ONNX kind spelled out (a float attribute may hold an integer value). */
export type OnnxAttr =
  | { readonly f: number }
  | { readonly i: number }
  | { readonly s: string }
  | { readonly floats: readonly number[] }
  | { readonly ints: readonly number[] };

export interface OnnxNode {
  readonly op: string;
  /** '' marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dtype: OnnxDType;
  readonly dims: readonly number[];
  readonly data: Float32Array | Int32Array | BigInt64Array | Uint8Array;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly dtype: OnnxDType;
  /** Numbers are fixed extents, strings named (symbolic) dims. */
  readonly dims: readonly (number | string)[];
}

export interface OnnxModel {
  readonly name: string;
  readonly opset: number;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

/** Growable byte buffer with the protobuf primitives; big payloads are kept as chunks, not copied byte by byte. */
class Writer {
  private bytes: number[] = [];
  private readonly parts: Uint8Array[] = [];

  private flush(): void {
    if (this.bytes.length) this.parts.push(Uint8Array.from(this.bytes));
    this.bytes = [];
  }

  /** Varint of a non-negative or negative int64 (negatives take ten bytes, two's complement). */
  varint(v: number | bigint): this {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.bytes.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.bytes.push(Number(x));
    return this;
  }

  tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, v: number | bigint): this {
    return this.tag(field, 0).varint(v);
  }

  float(field: number, v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.tag(field, 5);
    this.bytes.push(...b);
    return this;
  }

  raw(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.flush();
    this.parts.push(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.raw(field, inner.finish());
  }

  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

// AttributeProto.AttributeType enum values.
const ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_FLOATS = 6, ATTR_INTS = 7;

function writeAttribute(w: Writer, name: string, a: OnnxAttr): void {
  w.string(1, name);
  if ('f' in a) w.float(2, a.f).int(20, ATTR_FLOAT);
  else if ('i' in a) w.int(3, a.i).int(20, ATTR_INT);
  else if ('s' in a) w.string(4, a.s).int(20, ATTR_STRING);
  else if ('floats' in a) { a.floats.forEach((f) => w.float(7, f)); w.int(20, ATTR_FLOATS); }
  else { a.ints.forEach((i) => w.int(8, i)); w.int(20, ATTR_INTS); }
}

function writeNode(w: Writer, n: OnnxNode, index: number): void {
  n.inputs.forEach((i) => w.string(1, i));
  n.outputs.forEach((o) => w.string(2, o));
  w.string(3, `${n.op}_${index}`).string(4, n.op);
  for (const [name, a] of Object.entries(n.attrs ?? {})) w.message(5, (aw) => writeAttribute(aw, name, a));
}

function writeTensor(w: Writer, t: OnnxTensor): void {
  t.dims.forEach((d) => w.int(1, d));
  w.int(2, DATA_TYPE[t.dtype]).string(8, t.name);
  // raw_data is little-endian, as typed arrays are on every platform Node runs on here.
  w.raw(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValueInfo(w: Writer, v: OnnxValueInfo): void {
  w.string(1, v.name);
  // TypeProto.tensor_type(1) { elem_type(1), shape(2) { dim(1) { dim_value(1) | dim_param(2) } } }
  w.message(2, (tw) => tw.message(1, (tt) => {
    tt.int(1, DATA_TYPE[v.dtype]);
    tt.message(2, (sw) => v.dims.forEach((d) => sw.message(1, (dw) => (typeof d === 'number' ? dw.int(1, d) : dw.string(2, d)))));
  }));
}

/** Serializes `m` as an ONNX ModelProto (IR version 8, default domain at `m.opset`). */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new Writer();
  w.int(1, 8).string(2, 'denoc-bench');
  w.message(7, (g) => {
    m.nodes.forEach((n, i) => g.message(1, (nw) => writeNode(nw, n, i)));
    g.string(2, m.name);
    m.initializers.forEach((t) => g.message(5, (tw) => writeTensor(tw, t)));
    m.inputs.forEach((v) => g.message(11, (vw) => writeValueInfo(vw, v)));
    m.outputs.forEach((v) => g.message(12, (vw) => writeValueInfo(vw, v)));
  });
  w.message(8, (o) => o.string(1, '').int(2, m.opset));
  return w.finish();
}
