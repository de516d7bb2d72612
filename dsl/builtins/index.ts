/**
 * The builtin functions of the language, by name: tensor functions (builtins-tensor.ts), math that
 * works on numbers and tensors alike (builtins-math.ts), and compile-time schedule and table
 * functions (comptime/builtins.ts). Each declares its parameter names, so calls get the same
 * argument checks and "did you mean" hints as blocks.
 */
import type { BuiltinFn } from '../semantics/args.ts';
import { MATH_BUILTINS } from './math.ts';
import { TENSOR_BUILTINS } from './tensor.ts';
import { COMPTIME_BUILTINS } from './schedules.ts';
import { SAMPLER_BUILTINS } from './samplers.ts';

export const BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ...Object.entries(MATH_BUILTINS),
  ...Object.entries(TENSOR_BUILTINS),
  ...Object.entries(COMPTIME_BUILTINS),
  ...Object.entries(SAMPLER_BUILTINS),
]);
