/**
 * OUT: codes of writing output files (compiler/core/output-file.ts): PNGs, weights, reports and artifacts.
 */
export const OUTPUT_CODES = {
  OUT0001: 'cannot create the folder of an output file (the message names the path and the reason)',
  OUT0002: 'cannot write an output file: no permission, a full device, a folder in the way (the message names the path)',
} as const;
