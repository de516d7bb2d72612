/**
 * WGT: stable diagnostic codes of the weights runtime, one line each. WGT00xx: reading and writing
 * safetensors files; WGT01xx: binding tensors to a model's parameters; WGT02xx: seeded init.
 */
export const WEIGHT_CODES = {
  WGT0001: 'cannot read the weights file',
  WGT0002: 'file too short to hold the 8-byte header length',
  WGT0003: 'header length runs past the end of the file or over the 100 MB limit',
  WGT0004: 'header is not valid UTF-8 JSON holding an object',
  WGT0005: 'malformed tensor entry (dtype, shape or data_offsets missing or of the wrong kind)',
  WGT0006: 'dtype not supported (denoc reads F32, F16, BF16 and I32)',
  WGT0007: 'data_offsets do not match the byte size of the dtype and shape',
  WGT0008: 'data_offsets run past the end of the file (truncated file)',
  WGT0009: 'tensors overlap or leave a hole in the data buffer',
  WGT0010: '__metadata__ is not an object of strings',
  WGT0011: 'tensor to write has data whose length does not match its shape',
  WGT0012: 'invalid tensor name or shape to write',
  WGT0013: 'weights or checkpoint file larger than the limit',
  WGT0014: 'weights hold NaN or infinite values (the message names the tensors)',
  WGT0015: 'the header names a tensor (or __metadata__) more than once',
  WGT0016: 'a warning: weights hold NaN or infinite values and were loaded as asked (--allow-nonfinite-weights); lists tensors and counts',
  WGT0101: 'parameter missing from the weights',
  WGT0102: 'weights hold a tensor that is not a parameter',
  WGT0103: 'tensor shape differs from the parameter shape',
  WGT0104: 'integer tensor bound to a float parameter',
  WGT0105: 'parameter shape has a symbolic dim',
  WGT0106: 'parameter path declared twice',
  WGT0201: 'cannot initialize a parameter whose shape has a symbolic dim',
  WGT0202: 'invalid init spec or seed',
} as const;

export type WeightCode = keyof typeof WEIGHT_CODES;
