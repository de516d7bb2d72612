// Fuzzes the safetensors reader with files built from the format's spec (8-byte little-endian header
// length, a JSON header of {dtype, shape, data_offsets} entries, the data) and with mutations of them:
// header fields replaced, header length changed, names repeated, bytes flipped, files truncated. A valid
// file reads back with its names and shapes; every other outcome is a DenocError whose codes are WGT codes.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { readSafetensors } from '../../compiler/core/safetensors.ts';
import { fuzzParams, OutcomeTally } from './fuzz-settings.ts';
import { applyMutation, buildFile, encode, files, mutation } from './generators/safetensors.ts';

const tally = new OutcomeTally('safetensors');
afterAll(() => console.log(tally.report()));

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
