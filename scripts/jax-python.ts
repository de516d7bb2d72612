/**
 * The JAX Python lookup, for the scripts and tests that run StableHLO on real XLA; it lives in api/ so
 * that `denoc train --engine xla` can use it too.
 */
export { findJaxPython } from '../api/jax-python.ts';
