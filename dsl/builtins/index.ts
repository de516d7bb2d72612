/**
 * The builtin functions of the language, by name: tensor functions (tensor.ts), math that works on
 * numbers and tensors alike (math.ts), compile-time schedule and table functions (schedules.ts) and
 * the helpers of the standard samplers (samplers.ts); and the TypeScript primitives of the std
 * modules (nn-primitives.ts). Each builtin declares its parameter names, so calls get the same
 * argument checks and "did you mean" hints as blocks. The front end (dsl/index.ts) hands these to
 * name resolution and lowering, which know builtins only by name (semantics/builtin-names.ts) and
 * call them through lower/context.ts's BuiltinContext.
 */
import type { BuiltinFn } from '../lower/context.ts';
import { MATH_BUILTINS } from './math.ts';
import { SAMPLER_BUILTINS } from './samplers.ts';
import { COMPTIME_BUILTINS } from './schedules.ts';
import { TENSOR_BUILTINS } from './tensor.ts';

export { STD_PRIMITIVES } from './nn-primitives.ts';

export const BUILTINS: ReadonlyMap<string, BuiltinFn> = new Map([
  ...Object.entries(MATH_BUILTINS),
  ...Object.entries(TENSOR_BUILTINS),
  ...Object.entries(COMPTIME_BUILTINS),
  ...Object.entries(SAMPLER_BUILTINS),
]);
