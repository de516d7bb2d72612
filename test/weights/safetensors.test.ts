// safetensors reading and writing: files assembled by hand in the test, round trips, and every validation error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { parseSafetensorsHeader, readSafetensors, writeSafetensors } from '../../compiler/core/safetensors.ts';
import { tensor, type Tensor, type WeightSet } from '../../compiler/core/tensor.ts';
import { loadWeightsFile, saveWeightsFile } from '../../runtime/weights/files.ts';

/** Assembles a file from a header object and raw data bytes, the way the format README describes it. */
function assemble(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function leBytes(kind: 'f32' | 'i32' | 'u16', values: number[]): Uint8Array {
  const size = kind === 'u16' ? 2 : 4;
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === 'f32') v.setFloat32(i * size, x, true);
    else if (kind === 'i32') v.setInt32(i * size, x, true);
    else v.setUint16(i * size, x, true);
  });
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function codesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof DenocError) return e.diagnostics.map((d) => d.code);
    throw e;
  }
  throw new Error('expected a DenocError');
}

const mixedHeader = {
  __metadata__: { format: 'pt' },
  'b.bias': { dtype: 'F16', shape: [3], data_offsets: [24, 30] },
  'a.weight': { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
  'c.scale': { dtype: 'BF16', shape: [2], data_offsets: [30, 34] },
  'd.index': { dtype: 'I32', shape: [2], data_offsets: [34, 42] },
};
const mixedData = concat(
  leBytes('f32', [1, -2, 0.5, 3, 4, -5]),
  leBytes('u16', [0x3c00, 0xb800, 0x0001]), // 1, -0.5, 2^-24
  leBytes('u16', [0x4049, 0xc000]), // 3.140625, -2
  leBytes('i32', [7, -3]),
);

describe('readSafetensors', () => {
  it('reads F32, F16, BF16 and I32 tensors from a hand-assembled file, in offset order', () => {
    const t = readSafetensors(assemble(mixedHeader, mixedData));
    expect([...t.keys()]).toEqual(['a.weight', 'b.bias', 'c.scale', 'd.index']);
    expect(t.get('a.weight')).toEqual({ dtype: 'f32', shape: [2, 3], data: Float32Array.of(1, -2, 0.5, 3, 4, -5) });
    expect(t.get('b.bias')?.data).toEqual(Float32Array.of(1, -0.5, 2 ** -24));
    expect(t.get('c.scale')?.data).toEqual(Float32Array.of(3.140625, -2));
    expect(t.get('d.index')).toEqual({ dtype: 'i32', shape: [2], data: Float32Array.of(7, -3) });
    expect(parseSafetensorsHeader(assemble(mixedHeader, mixedData)).metadata).toEqual({ format: 'pt' });
  });

  it('reads a file that sits at an odd offset inside a larger buffer', () => {
    const file = assemble(mixedHeader, mixedData);
    const big = new Uint8Array(file.length + 3);
    big.set(file, 3);
    expect(readSafetensors(big.subarray(3)).get('a.weight')?.data).toEqual(Float32Array.of(1, -2, 0.5, 3, 4, -5));
  });

  it('accepts scalars, empty tensors and header padding spaces', () => {
    const header = { s: { dtype: 'F32', shape: [], data_offsets: [0, 4] }, e: { dtype: 'F32', shape: [0, 3], data_offsets: [4, 4] } };
    const t = readSafetensors(assemble(header, leBytes('f32', [2.5]), JSON.stringify(header) + '     '));
    expect(t.get('s')).toEqual({ dtype: 'f32', shape: [], data: Float32Array.of(2.5) });
    expect(t.get('e')?.data.length).toBe(0);
  });
});

describe('safetensors validation', () => {
  const one =
    (h: unknown, d = leBytes('f32', [1, 2])) =>
    () =>
      readSafetensors(assemble(h, d), 'w.safetensors');
  const ok = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };

  it('rejects a file shorter than the length prefix', () => {
    expect(codesOf(() => readSafetensors(new Uint8Array(5)))).toEqual(['WGT0002']);
  });
  it('rejects a header length past the end of the file', () => {
    const f = assemble(ok, leBytes('f32', [1, 2]));
    new DataView(f.buffer).setUint32(0, f.length, true);
    expect(codesOf(() => readSafetensors(f))).toEqual(['WGT0003']);
    new DataView(f.buffer).setUint32(4, 1, true); // 2^32 + n: over the header size limit
    expect(codesOf(() => readSafetensors(f))).toEqual(['WGT0003']);
  });
  it('rejects bad JSON, non-object JSON and invalid UTF-8', () => {
    expect(codesOf(() => readSafetensors(assemble(null, new Uint8Array(), '{"w": ')))).toEqual(['WGT0004']);
    expect(codesOf(() => readSafetensors(assemble([1, 2], new Uint8Array())))).toEqual(['WGT0004']);
    const f = assemble({}, new Uint8Array(), '{"\u00e9":1}');
    f[10] = 0xff;
    expect(codesOf(() => readSafetensors(f))).toEqual(['WGT0004']);
  });
  it('rejects malformed entries and unknown dtypes, all in one error', () => {
    const h = {
      a: { dtype: 'F32', shape: [2] },
      b: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] },
      c: { dtype: 'F32', shape: [1], data_offsets: [8, 4] },
      d: { dtype: 'Q4_K', shape: [1], data_offsets: [0, 1] },
    };
    expect(codesOf(one(h))).toEqual(['WGT0005', 'WGT0005', 'WGT0005', 'WGT0006']);
  });
  it('names the dtype it does not support', () => {
    expect(() => one({ w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } })()).toThrow(/w\.safetensors: tensor 'w' has dtype F64/);
  });
  it('rejects offsets whose span does not match dtype and shape', () => {
    expect(codesOf(one({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }))).toEqual(['WGT0007']);
  });
  it('reports a truncated file', () => {
    const f = assemble(ok, leBytes('f32', [1, 2]));
    expect(codesOf(() => readSafetensors(f.subarray(0, f.length - 1)))).toEqual(['WGT0008']);
    expect(() => readSafetensors(f.subarray(0, f.length - 1))).toThrow(/truncated/);
  });
  it('rejects overlapping tensors, holes and trailing bytes', () => {
    const overlap = { a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(codesOf(one(overlap))).toEqual(['WGT0009']);
    expect(() => one(overlap)()).toThrow(/'b' \(bytes 4\.\.8\) overlaps 'a'/);
    const hole = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(codesOf(one(hole))).toEqual(['WGT0009']);
    expect(codesOf(one(ok, leBytes('f32', [1, 2, 3])))).toEqual(['WGT0009']);
  });
  it('rejects metadata that is not all strings', () => {
    expect(codesOf(one({ ...ok, __metadata__: { epoch: 3 } }))).toEqual(['WGT0010']);
  });
  it('reports an unreadable file with its path', () => {
    expect(codesOf(() => loadWeightsFile('/nonexistent/w.safetensors'))).toEqual(['WGT0001']);
    expect(() => loadWeightsFile('/nonexistent/w.safetensors')).toThrow(/\/nonexistent\/w\.safetensors: cannot read: ENOENT/);
  });
});

describe('writeSafetensors', () => {
  const tensors = new Map<string, Tensor<Float32Array>>([
    ['z.w', { dtype: 'f32', shape: [2, 2], data: Float32Array.of(0.1, -1e-5, 65504, 70000) }],
    ['a.b', { dtype: 'f32', shape: [3], data: Float32Array.of(1, 2, 3) }],
  ]);

  it('lays out a padded header, names in order and contiguous offsets', () => {
    const bytes = writeSafetensors(tensors, { metadata: { source: 'test' } });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text.trimEnd().length).toBeGreaterThan(n - 8);
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ source: 'test' });
    expect(header['a.b']).toEqual({ dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    expect(header['z.w']).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [12, 28] });
    expect(bytes.length).toBe(8 + n + 28);
    expect(view.getFloat32(8 + n + 12, true)).toBe(Math.fround(0.1));
  });

  it('round-trips f32 exactly', () => {
    const back = readSafetensors(writeSafetensors(tensors));
    expect(back.get('z.w')?.data).toEqual(tensors.get('z.w')?.data);
    expect(back.get('a.b')?.shape).toEqual([3]);
  });

  it('stores f16 rounded to nearest (0.1 -> 0x2e66, overflow -> inf) and bf16 likewise', () => {
    const half = readSafetensors(writeSafetensors(tensors, { dtype: 'f16' })).get('z.w');
    expect(half?.dtype).toBe('f16');
    expect(half?.data).toEqual(Float32Array.of((0x266 / 1024) * 2 ** -4 + 2 ** -4, -1.0013580322265625e-5, 65504, Infinity));
    const b = readSafetensors(writeSafetensors(tensors, { dtype: 'bf16' })).get('z.w');
    // 0.1 -> 0x3dcd = 1.6015625 * 2^-4; 70000 -> 0x4789 = 1.0703125 * 2^16
    expect(b?.data[0]).toBe(1.6015625 * 2 ** -4);
    expect(b?.data[3]).toBe(1.0703125 * 2 ** 16);
  });

  it('accepts a plain object and a bound WeightSet', () => {
    const fromRecord = readSafetensors(writeSafetensors({ w: { dtype: 'f32', shape: [1], data: Float32Array.of(4) } }));
    expect(fromRecord.get('w')?.data).toEqual(Float32Array.of(4));
    const store: WeightSet = new Map([['p', tensor([2, 2], Float32Array.of(1, 2, 3, 4))]]);
    expect(readSafetensors(writeSafetensors(store)).get('p')?.shape).toEqual([2, 2]);
  });

  it('rejects data that does not fit its shape, and reserved or empty names', () => {
    expect(codesOf(() => writeSafetensors({ w: { dtype: 'f32', shape: [2, 2], data: new Float32Array(3) } }))).toEqual(['WGT0011']);
    expect(
      codesOf(() =>
        writeSafetensors({
          '': { dtype: 'f32', shape: [1], data: new Float32Array(1) },
          __metadata__: { dtype: 'f32', shape: [1], data: new Float32Array(1) },
        }),
      ),
    ).toEqual(['WGT0012', 'WGT0012']);
  });
});

describe('weights files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'denoc-weights-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves and loads a file', () => {
    const path = join(dir, 'w.safetensors');
    saveWeightsFile(path, { 'x.y': { dtype: 'f32', shape: [2], data: Float32Array.of(1.5, -2.5) } }, { dtype: 'bf16' });
    expect(loadWeightsFile(path).get('x.y')).toEqual({ dtype: 'bf16', shape: [2], data: Float32Array.of(1.5, -2.5) });
  });
});
