/**
 * HLO: codes of the StableHLO target and its test interpreter. 00xx emitter checks (static shapes,
 * options, lowering coverage), 01xx a lowering that fails on a node, 02xx StableHLO text that cannot
 * be parsed (types, the interpreter's parser), 03xx running a module in tools/stablehlo-interpreter,
 * 04xx packaging the artifact.
 */
export const STABLEHLO_CODES = {
  HLO0001: 'a symbolic dim left unbound (StableHLO and the TPU cost model need static shapes)',
  HLO0002: 'an unknown StableHLO option or an option value out of range',
  HLO0003: 'an op without a StableHLO lowering, or one the target does not support',
  HLO0004: 'a data-parallel batch input that the graph lacks, or whose first axis the device count does not divide',
  HLO0101: 'a lowering that cannot handle its node (the message names the op)',
  HLO0201: 'StableHLO text outside the supported subset (with line:col)',
  HLO0202: 'a tensor type with an unsupported element type or a non-static dimension',
  HLO0301: 'an undefined function or value, or a block without terminator, in a module being run',
  HLO0302: 'a missing or mis-sized argument, input or weight for a module being run',
  HLO0303: 'an op, element type or attribute the interpreter does not run',
  HLO0304: 'a value whose shape or type breaks what the op or the module declares',
  HLO0401: 'weights missing or of the wrong size for the StableHLO artifact',
} as const;
