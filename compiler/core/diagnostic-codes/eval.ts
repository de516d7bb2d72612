/**
 * EVL: codes of sample-quality evaluation against Fashion-MNIST (api/eval.ts, cli/commands/eval.ts).
 * 000x the images and the feature network, 001x the command line.
 */
export const EVAL_CODES = {
  EVL0001: 'images that are not N×1×28×28 (or N×28×28, N×784) finite values in [-1, 1]',
  EVL0002: 'too few or too many images for the metric, or labels that do not match them',
  EVL0003: 'a feature network that does not return (logits, features)',
  EVL0010: 'neither --images nor a .dn file to sample from, or both',
  EVL0011: 'an images file without an images tensor (or with several and none named images)',
} as const;
