// Fuzzes the safetensors reader with files built from the format's spec (8-byte little-endian header
// length, a JSON header of {dtype, shape, data_offsets} entries, the data) and with mutations of them:
// header fields replaced, header length changed, names repeated, bytes flipped, files truncated. A valid
// file reads back with its names and shapes; every other outcome is a DenocError whose codes are WGT codes.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { readSafetensors } from '../../compiler/core/safetensors.ts';
import { fuzzParams, OutcomeTally } from './fuzz-settings.ts';

const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, I32: 4 } as const;
type FileDType = keyof typeof DTYPE_BYTES;

interface SpecTensor {
  name: string;
  dtype: FileDType;
  shape: number[];
}

interface SpecFile {
  header: Record<string, unknown>;
  data: Uint8Array;
}

const tally = new OutcomeTally('safetensors');
afterAll(() => console.log(tally.report()));

const specTensor: fc.Arbitrary<SpecTensor> = fc.record({
  name: fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '__metadata__'),
  dtype: fc.constantFrom<FileDType>('F32', 'F16', 'BF16', 'I32'),
  shape: fc.array(fc.nat(4), { maxLength: 3 }),
});

/** A file laid out as the spec says: entries in order, each right after the last, random data bytes. */
function buildFile(tensors: readonly SpecTensor[], dataSeed: number): SpecFile {
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

function encode(header: unknown, data: Uint8Array, lengthDelta = 0): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, json.length + lengthDelta)), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const files = fc
  .tuple(fc.uniqueArray(specTensor, { maxLength: 5, selector: (t) => t.name }), fc.nat(255))
  .map(([tensors, seed]) => ({ tensors, file: buildFile(tensors, seed) }));

const jsonValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 1e300, 2 ** 53, 'F64', [0], [1, 0], [0, 2 ** 40]));

type Mutation =
  | { kind: 'field'; entry: number; field: 'dtype' | 'shape' | 'data_offsets'; value: unknown }
  | { kind: 'length'; delta: number }
  | { kind: 'repeat'; entry: number }
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; keep: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
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

function applyMutation(file: SpecFile, m: Mutation): Uint8Array {
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

function expectCodedOutcome(bytes: Uint8Array): void {
  try {
    readSafetensors(bytes, 'fuzz.safetensors');
    tally.add('ok');
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(DenocError);
    const codes = (e as DenocError).diagnostics.map((d) => d.code);
    for (const code of codes) expect(code).toMatch(/^WGT\d{4}$/);
    tally.add(codes[0]);
  }
}

describe('safetensors fuzzing', () => {
  it('reads files built from the spec back with their names and shapes', () => {
    fc.assert(
      fc.property(files, ({ tensors, file }) => {
        const read = readSafetensors(encode(file.header, file.data), 'fuzz.safetensors');
        expect([...read.keys()].sort()).toEqual(tensors.map((t) => t.name).sort());
        for (const t of tensors) expect(read.get(t.name)?.shape).toEqual(t.shape);
        tally.add('ok (valid)');
      }),
      fuzzParams(50),
    );
  });

  it('refuses mutated files with WGT codes only', () => {
    fc.assert(
      fc.property(files, fc.array(mutation, { minLength: 1, maxLength: 1 }), ({ file }, [m]) => expectCodedOutcome(applyMutation(file, m))),
      fuzzParams(150),
    );
  });

  it('refuses a tensor named twice, even with identical entries (WGT0015)', () => {
    const { header, data } = buildFile([{ name: 'w', dtype: 'F32', shape: [2] }], 0);
    const twice = `{"w":${JSON.stringify(header.w)},"w":${JSON.stringify(header.w)}}`;
    expect(() => readSafetensors(encode(twice, data), 'twice.safetensors')).toThrow(
      /WGT0015: twice.safetensors: the header names 'w' more than once/,
    );
  });
});
