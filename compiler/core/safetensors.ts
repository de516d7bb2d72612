/**
 * The safetensors format (the weight format most diffusion checkpoints ship in), as bytes: reading,
 * checking and writing, with no file system (runtime/weights/files.ts reads and writes files).
 *
 * Layout (huggingface/safetensors README): an unsigned 64-bit little-endian header length N, N bytes
 * of UTF-8 JSON mapping each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets
 * relative to the first byte after the header) plus an optional `__metadata__` object of strings,
 * then the little-endian row-major data. The data must be covered exactly, without holes or
 * overlaps; writers pad the header with spaces so the data starts at a multiple of 8 bytes.
 * Everything is converted to and from Float32Array; f16/bf16 narrowing rounds to nearest even. A tensor
 * read keeps its file dtype (`f16`, `bf16`, `i32`) with its values widened to f32.
 */
import { DenocError, type Diagnostic } from './diagnostics.ts';
import type { WeightCode } from './diagnostic-codes/weights.ts';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from './numeric/half.ts';
import { shapeNumel, tensorEntries, type Tensor, type TensorCollection } from './tensor.ts';

export type SafetensorsDType = 'f32' | 'f16' | 'bf16' | 'i32';

export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: number[];
  /** Byte range relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Entries sorted by their position in the data section. */
  readonly entries: HeaderEntry[];
  readonly metadata: Record<string, string>;
  /** Absolute byte offset of the data section. */
  readonly dataStart: number;
}

export interface WriteOptions {
  /** Storage dtype of every tensor; f32 by default. */
  readonly dtype?: 'f32' | 'f16' | 'bf16';
  readonly metadata?: Readonly<Record<string, string>>;
}

const FILE_DTYPES: Readonly<Record<string, { dtype: SafetensorsDType; bytes: number }>> = {
  F32: { dtype: 'f32', bytes: 4 },
  F16: { dtype: 'f16', bytes: 2 },
  BF16: { dtype: 'bf16', bytes: 2 },
  I32: { dtype: 'i32', bytes: 4 },
};
const FILE_NAMES: Readonly<Record<SafetensorsDType, string>> = { f32: 'F32', f16: 'F16', bf16: 'BF16', i32: 'I32' };
/** The reference implementation refuses larger headers, so a bigger length means a corrupt file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const HEADER_ALIGN = 8;

function error(code: WeightCode, message: string): Diagnostic {
  return { code, severity: 'error', message };
}

function failWith(source: string, code: WeightCode, message: string): never {
  throw new DenocError(error(code, `${source}: ${message}`));
}

function isDimList(x: unknown): x is number[] {
  return Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
}

/**
 * Keys of the top-level object of a JSON text that occur more than once: JSON.parse keeps only the last,
 * so a tensor named twice would be read silently as one. The text has already parsed, so every string ends.
 */
function duplicateTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      let k = j + 1;
      while (k < text.length && ' \t\r\n'.includes(text[k])) k++;
      if (depth === 1 && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        (seen.has(key) ? repeated : seen).add(key);
      }
      i = j;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return [...repeated];
}

function parseHeaderJson(bytes: Uint8Array, source: string): { json: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) failWith(source, 'WGT0002', `file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (length > MAX_HEADER_BYTES || 8 + length > bytes.length) {
    failWith(source, 'WGT0003', `header length ${length} does not fit in a file of ${bytes.length} bytes`);
  }
  let json: unknown;
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length));
    json = JSON.parse(text);
  } catch (e) {
    failWith(source, 'WGT0004', `header is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    failWith(source, 'WGT0004', 'header JSON is not an object');
  }
  const repeated = duplicateTopLevelKeys(text);
  if (repeated.length) failWith(source, 'WGT0015', `the header names ${repeated.map((k) => `'${k}'`).join(', ')} more than once`);
  return { json: json as Record<string, unknown>, dataStart: 8 + length };
}

function parseMetadata(value: unknown, problems: Diagnostic[]): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) {
    return { ...(value as Record<string, string>) };
  }
  problems.push(error('WGT0010', '__metadata__ must be an object whose values are strings'));
  return {};
}

function parseEntry(name: string, value: unknown, problems: Diagnostic[]): HeaderEntry | undefined {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const offsets = v.data_offsets;
  if (typeof v.dtype !== 'string' || !isDimList(v.shape) || !isDimList(offsets) || offsets.length !== 2 || offsets[0] > offsets[1]) {
    problems.push(error('WGT0005', `tensor '${name}' needs dtype (string), shape (list of dims) and data_offsets [begin, end] with begin <= end`));
    return undefined;
  }
  const known = FILE_DTYPES[v.dtype];
  if (!known) {
    problems.push(error('WGT0006', `tensor '${name}' has dtype ${v.dtype}; denoc reads ${Object.keys(FILE_DTYPES).join(', ')}`));
    return undefined;
  }
  const [begin, end] = offsets;
  const expected = shapeNumel(v.shape) * known.bytes;
  if (end - begin !== expected) {
    problems.push(
      error(
        'WGT0007',
        `tensor '${name}' (${v.dtype} [${v.shape.join(',')}]) needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`,
      ),
    );
    return undefined;
  }
  return { name, dtype: known.dtype, shape: [...v.shape], begin, end };
}

/** Checks that the sorted entries tile the data section exactly. */
function checkLayout(entries: readonly HeaderEntry[], dataLength: number, problems: Diagnostic[]): void {
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.end > dataLength) {
      problems.push(
        error('WGT0008', `tensor '${e.name}' ends at byte ${e.end} of the data but the data has only ${dataLength} bytes (truncated file?)`),
      );
    } else if (e.begin < covered) {
      problems.push(error('WGT0009', `tensor '${e.name}' (bytes ${e.begin}..${e.end}) overlaps '${previous?.name}' (ends at ${covered})`));
    } else if (e.begin > covered) {
      problems.push(error('WGT0009', `bytes ${covered}..${e.begin} of the data belong to no tensor (hole before '${e.name}')`));
    }
    if (e.end > covered) {
      covered = e.end;
      previous = e;
    }
  }
  if (covered < dataLength) {
    problems.push(error('WGT0009', `bytes ${covered}..${dataLength} at the end of the data belong to no tensor`));
  }
}

/** Parses and validates the header without decoding any tensor data. */
export function parseSafetensorsHeader(bytes: Uint8Array, source = '<safetensors>'): SafetensorsHeader {
  const { json, dataStart } = parseHeaderJson(bytes, source);
  const problems: Diagnostic[] = [];
  const metadata = parseMetadata(json.__metadata__, problems);
  const entries: HeaderEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') continue;
    const entry = parseEntry(name, value, problems);
    if (entry) entries.push(entry);
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  if (problems.length === 0) checkLayout(entries, bytes.length - dataStart, problems);
  if (problems.length > 0) {
    throw new DenocError(problems.map((p) => ({ ...p, message: `${source}: ${p.message}` })));
  }
  return { entries, metadata, dataStart };
}

function decode(view: DataView, start: number, entry: HeaderEntry): Float32Array {
  const out = new Float32Array(shapeNumel(entry.shape));
  const at = start + entry.begin;
  switch (entry.dtype) {
    case 'f32':
      for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(at + 4 * i, true);
      break;
    case 'i32':
      for (let i = 0; i < out.length; i++) out[i] = view.getInt32(at + 4 * i, true);
      break;
    case 'f16':
      for (let i = 0; i < out.length; i++) out[i] = f16BitsToF32(view.getUint16(at + 2 * i, true));
      break;
    case 'bf16':
      for (let i = 0; i < out.length; i++) out[i] = bf16BitsToF32(view.getUint16(at + 2 * i, true));
      break;
  }
  return out;
}

/** Every tensor of a safetensors file, in file order, widened to f32. */
export function readSafetensors(bytes: Uint8Array, source?: string): Map<string, Tensor<Float32Array>> {
  const header = parseSafetensorsHeader(bytes, source);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Tensor<Float32Array>>();
  for (const e of header.entries) out.set(e.name, { dtype: e.dtype, shape: e.shape, data: decode(view, header.dataStart, e) });
  return out;
}

function checkWritable(entries: readonly [string, Tensor<Float32Array>][]): void {
  const problems: Diagnostic[] = [];
  for (const [name, t] of entries) {
    if (name === '' || name === '__metadata__') {
      problems.push(error('WGT0012', `'${name}' cannot name a tensor`));
    } else if (!isDimList(t.shape)) {
      problems.push(error('WGT0012', `tensor '${name}' has shape [${t.shape.join(',')}]; dims must be non-negative integers`));
    } else if (t.data.length !== shapeNumel(t.shape)) {
      problems.push(
        error('WGT0011', `tensor '${name}' has shape [${t.shape.join(',')}] (${shapeNumel(t.shape)} values) but ${t.data.length} values`),
      );
    }
  }
  if (problems.length > 0) throw new DenocError(problems);
}

function encode(view: DataView, at: number, data: Float32Array, dtype: 'f32' | 'f16' | 'bf16'): void {
  switch (dtype) {
    case 'f32':
      for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
      break;
    case 'f16':
      for (let i = 0; i < data.length; i++) view.setUint16(at + 2 * i, f32ToF16Bits(data[i]), true);
      break;
    case 'bf16':
      for (let i = 0; i < data.length; i++) view.setUint16(at + 2 * i, f32ToBf16Bits(data[i]), true);
      break;
  }
}

/** Serializes tensors sorted by name, all stored as `opts.dtype`. */
export function writeSafetensors(tensors: TensorCollection, opts: WriteOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? 'f32';
  const entries = tensorEntries(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  checkWritable(entries);
  const elementBytes = FILE_DTYPES[FILE_NAMES[dtype]].bytes;
  const header: Record<string, unknown> = {};
  if (opts.metadata) header.__metadata__ = { ...opts.metadata };
  let offset = 0;
  for (const [name, t] of entries) {
    const size = t.data.length * elementBytes;
    header[name] = { dtype: FILE_NAMES[dtype], shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / HEADER_ALIGN) * HEADER_ALIGN;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of entries) {
    encode(view, at, t.data, dtype);
    at += t.data.length * elementBytes;
  }
  return out;
}
