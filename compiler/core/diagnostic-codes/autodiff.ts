/** AD: codes of reverse-mode autodiff (compiler/autodiff/): what cannot be differentiated, and why. */
export const AUTODIFF_CODES = {
  AD0001: 'an op on the path to the differentiated output has no VJP (the op says why)',
  AD0002: 'the differentiated output is not a float scalar',
  AD0003: 'a name to differentiate with respect to is neither a graph input nor a weight',
  AD0004: "a VJP rule returned a cotangent whose type differs from its input's (a bug in the rule)",
} as const;
