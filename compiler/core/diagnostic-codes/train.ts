/**
 * TRN: codes of training (runtime/train, cli/commands/train.ts). 01xx the model as a function of
 * its weights, 02xx Fashion-MNIST files, 03xx data sets, 04xx the training spec read from the
 * samplers, 05xx checkpoints, 06xx the trainer, 07xx metrics, 08xx sample quality, 09xx the command line, 10xx rematerialization (compiler/passes/remat.ts).
 */
export const TRAIN_CODES = {
  TRN0101: 'the graph has a loop (train the model, not a sampler)',
  TRN0102: 'the model has no weights',
  TRN0103: 'a weight has no value',
  TRN0104: 'a training step needs static shapes: the model has unbound dims (bind the batch)',
  TRN0105: 'a model to train must take (x, t, …)',
  TRN0106: 'a classifier to train must take one input x and return logits [B, classes] first',
  TRN0201: 'Fashion-MNIST files missing (with how to install them)',
  TRN0202: 'a Fashion-MNIST file is not gzipped IDX of the expected shape',
  TRN0301: 'unknown data set (with a suggestion)',
  TRN0401: 'retired (a declaration the samplers read was not a literal); kept so the code is never reused',
  TRN0402: "the model's samplers need different training (choose with --sampler)",
  TRN0403: 'no sampler of that name samples the model',
  TRN0404: "the model's own training declarations are invalid (a sampler of it says why)",
  TRN0501: 'the checkpoint cannot be read',
  TRN0502: 'the checkpoint is from a different run (lists what differs)',
  TRN0503: 'a checkpoint state.json larger than the limit (checkpointStateBytes)',
  TRN0601: 'a model input the data cannot provide (e.g. class labels from unlabelled points)',
  TRN0602: 'the loss is not finite (lower --lr; the last checkpoint is from before)',
  TRN0603: 'the backend cannot differentiate the model (hint: --backend cpu)',
  TRN0604: 'a checkpoint exists but --resume was not given',
  TRN0605: 'bad option value (steps, batch, lr, EMA decay)',
  TRN0606: "the data's items do not fit the model's input x (e.g. images for a 2-D model)",
  TRN0701: 'the metric got something other than a non-empty N×2 cloud',
  TRN0702: "the metric's direction count is not an integer >= 1",
  TRN0801: 'the sampler cannot be measured against 2-D data',
  TRN0901: 'bad --lr or --ema on the command line',
  TRN0902: '--sampler names no sampler of the model',
  TRN0903: '--task classify with data other than fashion-mnist, the tape engine or a bad --dtype',
  TRN0904: 'an unknown --task',
  TRN1001: 'a remat mode that cannot be read (none | sqrt | budget=<MiB>)',
  TRN1002: 'no checkpoint plan fits the remat budget (says the smallest peak)',
  TRN1003: '--remat with the tape engine (remat rewrites the compiled step graph)',
} as const;
