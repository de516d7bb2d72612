// Generators of safetensors files for the fuzzers (test/fuzz/): files built from the format's spec
// (8-byte little-endian header length, a JSON header of {dtype, shape, data_offsets} entries, the data)
// and mutations of them or of a real weights file: a header field replaced, the header length changed, a
// name repeated, a byte overwritten, the file truncated.
import fc from 'fast-check';

export const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, I32: 4 } as const;
export type FileDType = keyof typeof DTYPE_BYTES;

export interface SpecTensor {
  name: string;
  dtype: FileDType;
  shape: number[];
}

export interface SpecFile {
  header: Record<string, unknown>;
  data: Uint8Array;
}

export const specTensor: fc.Arbitrary<SpecTensor> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '__metadata__'),
  dtype: fc.constantFrom<FileDType>('F32', 'F16', 'BF16', 'I32'),
  shape: fc.array(fc.nat(4), { maxLength: 3 }),
});

/** A file laid out as the spec says: entries in order, each right after the last, random data bytes. */
export function buildFile(tensors: readonly SpecTensor[], dataSeed: number): SpecFile {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  // integer-valued f32 bits keep the data finite, so a valid file is not refused as NaN (WGT0014 is a loader check)
  const data = new Uint8Array(offset).map((_, i) => (i * 31 + dataSeed) & 0x3f);
  return { header, data };
}

export function encode(header: unknown, data: Uint8Array, lengthDelta = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export const files = fc
  .tuple(fc.uniqueArray(specTensor, { maxLength: 5, selector: (t) => t.name }), fc.nat(255))
  .map(([tensors, seed]) => ({ tensors, file: buildFile(tensors, seed) }));

const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 1e300, 2 ** 53, 'F64', [0], [1, 0], [0, 2 ** 40]));

export type Mutation =
  | { kind: 'field'; entry: number; field: 'dtype' | 'shape' | 'data_offsets'; value: unknown }
  | { kind: 'length'; delta: number }
  | { kind: 'repeat'; entry: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; keep: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('field' as const),
    entry: fc.nat(),
    field: fc.constantFrom('dtype' as const, 'shape' as const, 'data_offsets' as const),
    value: jsonValue,
  }),
  fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -64, max: 64 }) }),
  fc.record({ kind: fc.constant('repeat' as const), entry: fc.nat() }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
);

export function applyMutation(file: SpecFile, m: Mutation): Uint8Array {
  const names = Object.keys(file.header);
  const name = names[(m.kind === 'field' || m.kind === 'repeat' ? m.entry : 0) % names.length];
  if (m.kind === 'field') {
    const entry = { ...(file.header[name] as Record<string, unknown>), [m.field]: m.value };
    return encode({ ...file.header, [name]: entry }, file.data);
  }
  if (m.kind === 'length') return encode(file.header, file.data, m.delta);
  if (m.kind === 'repeat') {
    // JSON.stringify cannot repeat a key, so the repeat is spliced into the text
    const text = JSON.stringify(file.header);
    return encode(`{${JSON.stringify(name)}:${JSON.stringify(file.header[name])},${text.slice(1)}`, file.data);
  }
  const bytes = encode(file.header, file.data);
  if (m.kind === 'flip') {
    bytes[m.at % bytes.length] = m.byte;
    return bytes;
  }
  return bytes.subarray(0, m.keep % (bytes.length + 1));
}

/** A safetensors file's bytes as header and data, so the mutations apply to real weights files too. */
export function specFileOf(bytes: Uint8Array): SpecFile {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>, data: bytes.subarray(8 + n) };
}
