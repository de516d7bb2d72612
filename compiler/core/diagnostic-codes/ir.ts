/**
 * IR: codes of the graph IR and the machinery that builds, checks and runs passes over it.
 * 00xx the builder (compiler/core/ir/builder.ts), 01xx the verifier (verify.ts), 015x the pass
 * runner and pipeline specs (compiler/passes/runner.ts, compiler/pipelines.ts), 02xx the textual IR
 * parser (ir-parser.ts), 04xx analyses (compiler/analysis/).
 */
export const IR_CODES = {
  IR0001: "an op's type rule rejects its inputs or attributes (reported at the DSL span that built it)",
  IR0002: 'a graph parameter declared twice',
  IR0003: 'a loop body yields a different number of values than the loop carries',
  IR0004: 'a loop-carried value changes type across one iteration',
  IR0005: 'a tensor with more elements than the limit (tensorElements); the message names the tensor',
  IR0101: 'an unknown op',
  IR0102: 'an op with the wrong number of inputs',
  IR0103: 'a tuple where an op needs a tensor (select an element with tuple_get)',
  IR0104: 'attributes an op does not accept',
  IR0105: "a node type that differs from the op's type rule (or the rule rejects the inputs)",
  IR0106: 'a region or loop body whose params do not match the loop',
  IR0107: 'loop body yields that do not match the carried types',
  IR0108: 'a region that uses a value of an enclosing graph (regions are isolated from above)',
  IR0109: 'a missing or tuple-typed graph output',
  IR0110: 'graph params: not a param node, a duplicate name, or a param not declared by its graph',
  IR0150: 'the pipeline input is not a valid graph',
  IR0151: 'a pass produced an invalid graph',
  IR0152: 'a pass threw (the note names the pass)',
  IR0153: 'dump or disable names a pass that is not in the pipeline',
  IR0154: 'a pipeline spec that cannot be read',
  IR0201: 'a syntax error in textual IR',
  IR0202: 'a value used in textual IR that is not defined in its graph or body',
  IR0203: 'a value name or attribute defined twice in textual IR',
  IR0204: 'an unknown op in textual IR',
  IR0205: "a printed type that differs from the op's type rule",
  IR0206: 'the builder or the verifier rejects a node of textual IR',
  IR0401: 'a cost analysis that needs symbolic dims bound',
} as const;
