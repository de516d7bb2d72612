/**
 * Writes NumPy `.npy` files (format version 1.0), the simplest way to hand inputs and reference
 * outputs to the Python check script: `numpy.load` reads them with no extra package.
 * Layout: magic `\x93NUMPY`, version 1.0, a little-endian u16 header length, an ASCII dict header
 * padded with spaces and a newline so the data starts at a multiple of 64 bytes, then raw C-order data.
 */

export type NpyData = Float32Array | Int32Array | Uint32Array | Uint8Array;

function descr(data: NpyData): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint32Array) return '<u4';
  return '|b1';
}

export function encodeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr(data)}', 'fortran_order': False, 'shape': ${dims}, }`;
  const preamble = 10;
  const total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - preamble - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), preamble);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
