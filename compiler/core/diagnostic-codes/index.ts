/**
 * Every diagnostic code of denoc, one table per family, so `tsc` rejects a code that no table
 * holds. A code never changes meaning once published: a new meaning gets a new code. Call sites
 * write the literal code (`fail('IR0154', ...)`); `Diagnostic.code` and `fail` take DiagnosticCode.
 */
import { BENCH_CODES } from './bench.ts';
import { CLI_CODES } from './cli.ts';
import { COMPRESS_CODES } from './compress.ts';
import { DISTILL_CODES } from './distill.ts';
import { DSL_CODES } from './dsl.ts';
import { EVAL_CODES } from './eval.ts';
import { STABLEHLO_CODES } from './hlo.ts';
import { IR_CODES } from './ir.ts';
import { MEMORY_PLAN_CODES } from './memory-plan.ts';
import { ONNX_CODES } from './onnx.ts';
import { OUTPUT_CODES } from './output.ts';
import { REFERENCE_CODES } from './ref.ts';
import { RENDER_CODES } from './render.ts';
import { AUTODIFF_CODES } from './autodiff.ts';
import { SAMPLER_OPTION_CODES } from './sampler.ts';
import { SCHEDULE_MATH_CODES } from './schedule.ts';
import { TRAIN_CODES } from './train.ts';
import { WEBGPU_CODES } from './webgpu.ts';
import { WEIGHT_CODES } from './weights.ts';

export interface DiagnosticFamily {
  /** Every code is this prefix and four digits. */
  readonly prefix: string;
  /** code → its one-line meaning */
  readonly codes: Readonly<Record<string, string>>;
}

export const DIAGNOSTIC_FAMILIES: readonly DiagnosticFamily[] = [
  { prefix: 'DSL', codes: DSL_CODES },
  { prefix: 'IR', codes: IR_CODES },
  { prefix: 'REF', codes: REFERENCE_CODES },
  { prefix: 'WGT', codes: WEIGHT_CODES },
  { prefix: 'HLO', codes: STABLEHLO_CODES },
  { prefix: 'WG', codes: WEBGPU_CODES },
  { prefix: 'ONNX', codes: ONNX_CODES },
  { prefix: 'MP', codes: MEMORY_PLAN_CODES },
  { prefix: 'CPR', codes: COMPRESS_CODES },
  { prefix: 'TRN', codes: TRAIN_CODES },
  { prefix: 'DST', codes: DISTILL_CODES },
  { prefix: 'SCH', codes: SCHEDULE_MATH_CODES },
  { prefix: 'SMP', codes: SAMPLER_OPTION_CODES },
  { prefix: 'RND', codes: RENDER_CODES },
  { prefix: 'AD', codes: AUTODIFF_CODES },
  { prefix: 'CLI', codes: CLI_CODES },
  { prefix: 'OUT', codes: OUTPUT_CODES },
  { prefix: 'BENCH', codes: BENCH_CODES },
  { prefix: 'EVL', codes: EVAL_CODES },
];

export type DiagnosticCode =
  | keyof typeof DSL_CODES
  | keyof typeof IR_CODES
  | keyof typeof REFERENCE_CODES
  | keyof typeof WEIGHT_CODES
  | keyof typeof STABLEHLO_CODES
  | keyof typeof WEBGPU_CODES
  | keyof typeof ONNX_CODES
  | keyof typeof OUTPUT_CODES
  | keyof typeof MEMORY_PLAN_CODES
  | keyof typeof COMPRESS_CODES
  | keyof typeof TRAIN_CODES
  | keyof typeof DISTILL_CODES
  | keyof typeof SCHEDULE_MATH_CODES
  | keyof typeof SAMPLER_OPTION_CODES
  | keyof typeof RENDER_CODES
  | keyof typeof AUTODIFF_CODES
  | keyof typeof CLI_CODES
  | keyof typeof BENCH_CODES
  | keyof typeof EVAL_CODES;

/**
 * Codes in a table that no product code raises yet, each with the reason it is kept. The test in
 * test/core/diagnostic-codes.test.ts fails on a code that is neither raised nor listed here.
 */
export const RESERVED_CODES: Readonly<Partial<Record<DiagnosticCode, string>>> = {
  TRN0401: 'retired: training reads the meaning the DSL resolved (SamplerArtifact.training), whose own checks are SMP codes',
  BENCH0101: 'retired: the benchmark peer compiles with the ONNX target, whose own checks are ONNX codes',
  BENCH0102: 'retired: the benchmark peer compiles with the ONNX target, whose own checks are ONNX codes',
  BENCH0103: 'retired: the benchmark peer compiles with the ONNX target, whose own checks are ONNX codes',
  BENCH0104: 'retired: the benchmark peer compiles with the ONNX target, whose own checks are ONNX codes',
};
