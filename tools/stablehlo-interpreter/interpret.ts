/**
 * An interpreter for the StableHLO subset denoc emits, so every emitted module can be parsed back
 * and run without XLA. It checks what an MLIR verifier would: every operand's value has the type
 * the text declares, every computed result has the declared result type, and regions read only
 * their own arguments (as the emitter promises). Kernels live in interpret-{tensor,layout,linalg}.ts.
 */
import { fail } from '../../compiler/core/diagnostics.ts';
import { broadcastInDim, concatenate, dynamicSlice, gather, iota, pad, slice, transpose } from './interpret-layout.ts';
import { convolution, dotGeneral, reduce } from './interpret-linalg.ts';
import { binary, bitcastConvert, compare, convert, makeTensor, select, unary, type HloTensor } from './interpret-tensor.ts';
import { parseStableHLO, type HloFunc, type HloModule, type HloOp } from './parse.ts';
import { elemCount, formatTType, sameTType, type TType } from '../../targets/stablehlo/types.ts';

export type { HloTensor } from './interpret-tensor.ts';

const UNARY = new Set(['negate', 'abs', 'sign', 'exponential', 'log', 'sqrt', 'rsqrt', 'sine', 'cosine', 'tanh', 'logistic']);
const BINARY = new Set([
  'add',
  'subtract',
  'multiply',
  'divide',
  'power',
  'minimum',
  'maximum',
  'and',
  'or',
  'xor',
  'shift_left',
  'shift_right_logical',
]);

type Env = Map<string, HloTensor>;

const ints = (op: HloOp, key: string): number[] => [...(op.attrs[key] as readonly number[])];

class Interpreter {
  constructor(private readonly module: HloModule) {}

  call(name: string, args: readonly HloTensor[]): HloTensor[] {
    const f = this.module.funcs.get(name);
    if (!f) return fail('HLO0301', `call to undefined function @${name}`);
    checkArgs(f, args);
    const env: Env = new Map(f.args.map((a, i) => [a, args[i]]));
    const results = this.block(f.body, env, `@${name}`);
    results.forEach((r, i) => expectType(r, f.resultTypes[i], `result ${i} of @${name}`));
    return results;
  }

  /** Runs ops in order; returns the operands of the terminator. */
  private block(ops: readonly HloOp[], env: Env, where: string): HloTensor[] {
    for (const op of ops) {
      const operands = op.operands.map((ref, i) => {
        const v = env.get(ref);
        if (!v) return fail('HLO0301', `${where} line ${op.line}: ${op.name} reads ${ref}, which is not defined in this region`);
        if (op.operandTypes[i]) expectType(v, op.operandTypes[i], `line ${op.line}: operand ${i} (${ref}) of ${op.name}`);
        return v;
      });
      if (op.name === 'return' || op.name === 'func.return' || op.name === 'stablehlo.return') return operands;
      const results = this.run(op, operands);
      results.forEach((r, i) => {
        expectType(r, op.resultTypes[i], `line ${op.line}: result of ${op.name}`);
        env.set(op.results[i], r);
      });
    }
    return fail('HLO0301', `${where}: block has no terminator`);
  }

  private run(op: HloOp, x: HloTensor[]): HloTensor[] {
    const short = op.name.replace(/^stablehlo\./, '');
    const out = op.resultTypes[0];
    if (UNARY.has(short)) return [unary(short, x[0])];
    if (BINARY.has(short)) return [binary(short, x[0], x[1])];
    switch (short) {
      case 'constant':
        return [makeTensor(out, op.values ?? [])];
      case 'iota':
        return [iota(op.attrs.dim as number, out)];
      case 'compare':
        return [compare(op.attrs.direction as string, x[0], x[1])];
      case 'select':
        return [select(x[0], x[1], x[2])];
      case 'convert':
        return [convert(x[0], out)];
      case 'bitcast_convert':
        return [bitcastConvert(x[0], out)];
      case 'reshape':
        if (elemCount(out.shape) !== x[0].data.length) fail('HLO0304', `line ${op.line}: reshape changes the element count`);
        return [{ type: out, data: x[0].data }];
      case 'broadcast_in_dim':
        return [broadcastInDim(x[0], ints(op, 'dims'), out)];
      case 'transpose':
        return [transpose(x[0], ints(op, 'dims'))];
      case 'slice':
        return [slice(x[0], ints(op, 'start'), ints(op, 'limit'), ints(op, 'strides'))];
      case 'dynamic_slice':
        return [
          dynamicSlice(
            x[0],
            x.slice(1).map((t) => t.data[0]),
            ints(op, 'sizes'),
          ),
        ];
      case 'concatenate':
        return [concatenate(x, op.attrs.dim as number)];
      case 'pad':
        return [pad(x[0], x[1], ints(op, 'low'), ints(op, 'high'), ints(op, 'interior'))];
      case 'reduce':
        return [reduce(x[0], x[1], op.attrs.body as string, ints(op, 'dims'))];
      case 'dot_general':
        return [this.dot(op, x, out)];
      case 'convolution':
        return [this.conv(op, x, out)];
      case 'gather':
        return [this.gather(op, x)];
      case 'while':
        return this.whileLoop(op, x);
      case 'func.call':
        return this.call(op.attrs.callee as string, x);
    }
    return fail('HLO0303', `line ${op.line}: the interpreter does not run ${op.name}`);
  }

  private dot(op: HloOp, x: HloTensor[], out: TType): HloTensor {
    const dims = {
      lhsBatch: ints(op, 'lhsBatch'),
      rhsBatch: ints(op, 'rhsBatch'),
      lhsContract: ints(op, 'lhsContract'),
      rhsContract: ints(op, 'rhsContract'),
    };
    return dotGeneral(x[0], x[1], dims, out.elem);
  }

  private conv(op: HloOp, x: HloTensor[], out: TType): HloTensor {
    const two = (key: string, dflt: number): number[] => (op.attrs[key] ? ints(op, key) : [dflt, dflt]);
    const pads = (op.attrs.pad as readonly (readonly number[])[] | undefined) ?? [
      [0, 0],
      [0, 0],
    ];
    if ((op.attrs.batch_group_count ?? 1) !== 1) fail('HLO0303', `line ${op.line}: batch_group_count must be 1`);
    const attrs = {
      stride: two('stride', 1),
      pad: pads,
      rhsDilate: two('rhs_dilate', 1),
      lhsDilate: two('lhs_dilate', 1),
      groups: (op.attrs.feature_group_count as number | undefined) ?? 1,
    };
    if (op.attrs.dims === 'nchw') return convolution(x[0], x[1], attrs, out.elem);
    // Channels-last: the same convolution between transposes (NHWC→NCHW, HWIO→OIHW, back to NHWC).
    return transpose(convolution(transpose(x[0], [0, 3, 1, 2]), transpose(x[1], [3, 2, 0, 1]), attrs, out.elem), [0, 2, 3, 1]);
  }

  private gather(op: HloOp, x: HloTensor[]): HloTensor {
    const list = (key: string): number[] => (op.attrs[key] ? ints(op, key) : []);
    return gather(x[0], x[1], {
      offsetDims: list('offset_dims'),
      collapsedSliceDims: list('collapsed_slice_dims'),
      startIndexMap: list('start_index_map'),
      indexVectorDim: op.attrs.index_vector_dim as number,
      sliceSizes: list('slice_sizes'),
    });
  }

  /** Regions see only their block arguments: a fresh environment per evaluation. */
  private whileLoop(op: HloOp, init: HloTensor[]): HloTensor[] {
    const [cond, body] = op.regions;
    const bind = (vals: readonly HloTensor[]): Env => new Map(cond.args.map((a, i) => [a, vals[i]]));
    let state = init;
    for (;;) {
      const [pred] = this.block(cond.ops, bind(state), `line ${op.line} (while cond)`);
      if (pred.type.elem !== 'i1' || pred.type.shape.length !== 0) fail('HLO0304', `line ${op.line}: while cond must return tensor<i1>`);
      if (!pred.data[0]) return state;
      const next = this.block(body.ops, bind(state), `line ${op.line} (while body)`);
      next.forEach((v, i) => expectType(v, op.operandTypes[i], `line ${op.line}: value ${i} returned by the while body`));
      state = next;
    }
  }
}

function expectType(v: HloTensor, t: TType, what: string): void {
  if (!sameTType(v.type, t)) fail('HLO0304', `${what} is ${formatTType(v.type)} but the module declares ${formatTType(t)}`);
}

function checkArgs(f: HloFunc, args: readonly HloTensor[]): void {
  if (args.length !== f.args.length) fail('HLO0302', `@${f.name} takes ${f.args.length} arguments, got ${args.length}`);
  args.forEach((a, i) => expectType(a, f.argTypes[i], `argument ${i} of @${f.name}`));
}

/** Runs `entry` of a parsed module. */
export function interpretModule(module: HloModule, args: readonly HloTensor[], entry = 'main'): HloTensor[] {
  return new Interpreter(module).call(entry, args);
}

/** Parses and runs StableHLO text. */
export function runStableHLO(text: string, args: readonly HloTensor[], entry = 'main'): HloTensor[] {
  return interpretModule(parseStableHLO(text), args, entry);
}
