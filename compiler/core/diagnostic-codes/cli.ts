/**
 * CLI: codes of the command line (cli/). 000x loading files, 001x target and backend names,
 * 002x option values, 003x executing a sampler, 004x drawing samples, 005x inspect, 006x compile.
 */
export const CLI_CODES = {
  CLI0001: 'a source file that does not exist',
  CLI0002: 'a source file that defines no model or sampler',
  CLI0003: 'no model or sampler of the given name in the file',
  CLI0004: 'a weights file that does not exist',
  CLI0010: 'an unknown run target',
  CLI0011: 'an unknown tfjs backend',
  CLI0012: 'an unknown training engine',
  CLI0020: 'an option that is not an integer at or above its minimum',
  CLI0021: '--classes names a class the model does not have',
  CLI0022: '--classes given for a sampler whose model takes no class labels',
  CLI0023: '--batch over the limit (batch)',
  CLI0030: 'a sampler input that cannot be given on the command line',
  CLI0040: 'samples of a shape that cannot be drawn',
  CLI0041: 'samples holding NaN or infinite values (no PNG is written)',
  CLI0050: '--after names a pass that is not in the pipeline',
  CLI0051: '--cost tpu without --target stablehlo',
  CLI0060: '--precision is not f32 or bf16',
  CLI0061: '--tile is not none or tpu',
  CLI0062: 'an unknown compile target',
  CLI0063: '--conv-layout is not nhwc or nchw',
} as const;
