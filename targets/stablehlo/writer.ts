/**
 * Writes StableHLO text, one op per line, in the pretty form that `stablehlo-opt` prints and JAX's
 * MLIR parser reads (gather uses the generic form, which has no pretty printer). Every helper infers
 * its result type, so lowerings state intent (`w.reshape(x, [2, 3])`) and never spell types twice.
 * Names are SSA numbers shared by a function and all its nested regions, so no name is ever redefined.
 */
import { elemCount, formatElem, formatTType, sameTType, ttype, type ElemType, type TType } from './types.ts';

export interface Value {
  readonly ref: string;
  readonly type: TType;
}

export type UnaryName = 'negate' | 'abs' | 'sign' | 'exponential' | 'log' | 'sqrt' | 'rsqrt' | 'sine' | 'cosine' | 'tanh' | 'logistic';
export type BinaryName =
  | 'add'
  | 'subtract'
  | 'multiply'
  | 'divide'
  | 'power'
  | 'minimum'
  | 'maximum'
  | 'and'
  | 'or'
  | 'xor'
  | 'shift_left'
  | 'shift_right_logical';
export type CompareDir = 'EQ' | 'NE' | 'LT' | 'LE' | 'GT' | 'GE';
export type Precision = 'DEFAULT' | 'HIGHEST';

export interface DotDims {
  readonly lhsBatch: readonly number[];
  readonly rhsBatch: readonly number[];
  readonly lhsContract: readonly number[];
  readonly rhsContract: readonly number[];
}

/** The two dimension orders denoc emits for 2-D convolutions (see ConvLayout in options.ts). */
export const CONV_DIM_NUMBERS = {
  nchw: '[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]',
  nhwc: '[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]',
} as const;
export type ConvDims = keyof typeof CONV_DIM_NUMBERS;

export interface ConvWindow {
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
  readonly rhsDilate: readonly [number, number];
  readonly groups: number;
}

const list = (xs: readonly number[]): string => `[${xs.join(', ')}]`;

/** Constants above this many elements are written as raw little-endian hex (exact and compact). */
const HEX_OVER = 256;

function nested(values: ArrayLike<number>, shape: readonly number[], elem: ElemType): string {
  let pos = 0;
  const rec = (axis: number): string => {
    if (axis === shape.length) return formatElem(values[pos++], elem);
    const parts: string[] = [];
    for (let i = 0; i < shape[axis]; i++) parts.push(rec(axis + 1));
    return `[${parts.join(', ')}]`;
  };
  return rec(0);
}

function hexLiteral(values: ArrayLike<number>, elem: ElemType): string {
  const arr = elem === 'f32' ? Float32Array.from(values) : elem === 'i32' ? Int32Array.from(values) : Uint32Array.from(values);
  const bytes = new Uint8Array(arr.buffer);
  let s = '';
  for (const b of bytes) s += b.toString(16).toUpperCase().padStart(2, '0');
  return `"0x${s}"`;
}

/** `dense<...>` for a tensor of the given type: splat, nested list, or hex for large tensors. */
export function denseLiteral(values: ArrayLike<number>, type: TType): string {
  const n = elemCount(type.shape);
  if (values.length !== n) throw new Error(`constant has ${values.length} values for ${formatTType(type)}`);
  const first = values[0];
  const splat = n > 0 && Array.prototype.every.call(values, (v: number) => Object.is(v, first));
  if (splat) return `dense<${formatElem(first, type.elem)}>`;
  const hexable = type.elem === 'f32' || type.elem === 'i32' || type.elem === 'ui32';
  if (n > HEX_OVER && hexable) return `dense<${hexLiteral(values, type.elem)}>`;
  return `dense<${nested(values, type.shape, type.elem)}>`;
}

export class NameGen {
  private counter = 0;
  private iterCounter = 0;
  value(): string {
    return `%${this.counter++}`;
  }
  blockArg(): string {
    return `%iterArg_${this.iterCounter++}`;
  }
}

export class FnWriter {
  readonly lines: string[] = [];
  private readonly splats = new Map<string, Value>();

  constructor(
    readonly names: NameGen,
    readonly indent = '    ',
  ) {}

  /** A writer for a nested region: deeper indentation, same name space, its own constant cache. */
  child(): FnWriter {
    return new FnWriter(this.names, `${this.indent}    `);
  }

  raw(line: string): void {
    this.lines.push(`${this.indent}${line}`);
  }

  private def(text: string, type: TType): Value {
    const ref = this.names.value();
    this.raw(`${ref} = ${text}`);
    return { ref, type };
  }

  private sig(operands: readonly Value[], result: TType): string {
    return `(${operands.map((o) => formatTType(o.type)).join(', ')}) -> ${formatTType(result)}`;
  }

  constant(values: ArrayLike<number>, type: TType): Value {
    return this.def(`stablehlo.constant ${denseLiteral(values, type)} : ${formatTType(type)}`, type);
  }

  /** A constant filled with one value; reused within this region. */
  splat(value: number, elem: ElemType, shape: readonly number[] = []): Value {
    const type = ttype(elem, shape);
    const key = `${formatElem(value, elem)}:${formatTType(type)}`;
    let v = this.splats.get(key);
    if (!v) {
      v = this.def(`stablehlo.constant dense<${formatElem(value, elem)}> : ${formatTType(type)}`, type);
      this.splats.set(key, v);
    }
    return v;
  }

  iota(dim: number, type: TType): Value {
    return this.def(`stablehlo.iota dim = ${dim} : ${formatTType(type)}`, type);
  }

  unary(op: UnaryName, x: Value): Value {
    return this.def(`stablehlo.${op} ${x.ref} : ${formatTType(x.type)}`, x.type);
  }

  binary(op: BinaryName, a: Value, b: Value): Value {
    if (!sameTType(a.type, b.type)) {
      throw new Error(`stablehlo.${op}: operand types differ (${formatTType(a.type)} vs ${formatTType(b.type)})`);
    }
    return this.def(`stablehlo.${op} ${a.ref}, ${b.ref} : ${formatTType(a.type)}`, a.type);
  }

  compare(dir: CompareDir, a: Value, b: Value): Value {
    const kind = a.type.elem === 'i32' ? 'SIGNED' : a.type.elem === 'ui32' || a.type.elem === 'i1' ? 'UNSIGNED' : 'FLOAT';
    const out = ttype('i1', a.type.shape);
    return this.def(`stablehlo.compare ${dir}, ${a.ref}, ${b.ref}, ${kind} : ${this.sig([a, b], out)}`, out);
  }

  select(pred: Value, a: Value, b: Value): Value {
    return this.def(`stablehlo.select ${pred.ref}, ${a.ref}, ${b.ref} : ${this.sig([pred, a, b], a.type)}`, a.type);
  }

  convert(x: Value, elem: ElemType): Value {
    if (x.type.elem === elem) return x;
    const out = ttype(elem, x.type.shape);
    return this.def(`stablehlo.convert ${x.ref} : ${this.sig([x], out)}`, out);
  }

  bitcastConvert(x: Value, elem: ElemType): Value {
    const out = ttype(elem, x.type.shape);
    return this.def(`stablehlo.bitcast_convert ${x.ref} : ${this.sig([x], out)}`, out);
  }

  broadcastInDim(x: Value, dims: readonly number[], shape: readonly number[]): Value {
    const out = ttype(x.type.elem, shape);
    return this.def(`stablehlo.broadcast_in_dim ${x.ref}, dims = ${list(dims)} : ${this.sig([x], out)}`, out);
  }

  reshape(x: Value, shape: readonly number[]): Value {
    if (x.type.shape.length === shape.length && x.type.shape.every((d, i) => d === shape[i])) return x;
    if (elemCount(shape) !== elemCount(x.type.shape)) throw new Error(`reshape ${formatTType(x.type)} to [${shape}] changes the size`);
    const out = ttype(x.type.elem, shape);
    return this.def(`stablehlo.reshape ${x.ref} : ${this.sig([x], out)}`, out);
  }

  transpose(x: Value, perm: readonly number[]): Value {
    if (perm.every((p, i) => p === i)) return x;
    const out = ttype(
      x.type.elem,
      perm.map((p) => x.type.shape[p]),
    );
    return this.def(`stablehlo.transpose ${x.ref}, dims = ${list(perm)} : ${this.sig([x], out)}`, out);
  }

  slice(x: Value, start: readonly number[], limit: readonly number[], strides?: readonly number[]): Value {
    const st = strides ?? start.map(() => 1);
    const shape = start.map((s, i) => Math.max(0, Math.ceil((limit[i] - s) / st[i])));
    const out = ttype(x.type.elem, shape);
    const ranges = start.map((s, i) => (st[i] === 1 ? `${s}:${limit[i]}` : `${s}:${limit[i]}:${st[i]}`));
    return this.def(`stablehlo.slice ${x.ref} [${ranges.join(', ')}] : ${this.sig([x], out)}`, out);
  }

  dynamicSlice(x: Value, starts: readonly Value[], sizes: readonly number[]): Value {
    const out = ttype(x.type.elem, sizes);
    const ops = [x, ...starts];
    return this.def(`stablehlo.dynamic_slice ${ops.map((o) => o.ref).join(', ')}, sizes = ${list(sizes)} : ${this.sig(ops, out)}`, out);
  }

  concatenate(xs: readonly Value[], dim: number): Value {
    if (xs.length === 1) return xs[0];
    const shape = [...xs[0].type.shape];
    shape[dim] = xs.reduce((s, x) => s + x.type.shape[dim], 0);
    const out = ttype(xs[0].type.elem, shape);
    return this.def(`stablehlo.concatenate ${xs.map((x) => x.ref).join(', ')}, dim = ${dim} : ${this.sig(xs, out)}`, out);
  }

  pad(x: Value, value: Value, low: readonly number[], high: readonly number[], interior?: readonly number[]): Value {
    const inner = interior ?? low.map(() => 0);
    const shape = x.type.shape.map((d, i) => low[i] + high[i] + d + Math.max(0, d - 1) * inner[i]);
    const out = ttype(x.type.elem, shape);
    return this.def(
      `stablehlo.pad ${x.ref}, ${value.ref}, low = ${list(low)}, high = ${list(high)}, interior = ${list(inner)} : ${this.sig([x, value], out)}`,
      out,
    );
  }

  reduce(x: Value, init: Value, body: 'add' | 'maximum', dims: readonly number[]): Value {
    const out = ttype(
      x.type.elem,
      x.type.shape.filter((_, i) => !dims.includes(i)),
    );
    return this.def(
      `stablehlo.reduce(${x.ref} init: ${init.ref}) applies stablehlo.${body} across dimensions = ${list(dims)} : ${this.sig([x, init], out)}`,
      out,
    );
  }

  /** Result layout: batch dims, then lhs free dims, then rhs free dims (StableHLO's rule). */
  dotGeneral(a: Value, b: Value, d: DotDims, outElem: ElemType, precision: Precision): Value {
    const batch = d.lhsBatch.map((i) => a.type.shape[i]);
    const lhsFree = a.type.shape.filter((_, i) => !d.lhsBatch.includes(i) && !d.lhsContract.includes(i));
    const rhsFree = b.type.shape.filter((_, i) => !d.rhsBatch.includes(i) && !d.rhsContract.includes(i));
    const out = ttype(outElem, [...batch, ...lhsFree, ...rhsFree]);
    const batching = d.lhsBatch.length ? `batching_dims = ${list(d.lhsBatch)} x ${list(d.rhsBatch)}, ` : '';
    return this.def(
      `stablehlo.dot_general ${a.ref}, ${b.ref}, ${batching}contracting_dims = ${list(d.lhsContract)} x ${list(d.rhsContract)}, ` +
        `precision = [${precision}, ${precision}] : ${this.sig([a, b], out)}`,
      out,
    );
  }

  /** x and w in the order `dims` names: NCHW / OIHW, or NHWC / HWIO. */
  convolution(x: Value, w: Value, win: ConvWindow, outElem: ElemType, precision: Precision, dims: ConvDims = 'nchw'): Value {
    const [n, h, wd] = dims === 'nchw' ? [x.type.shape[0], x.type.shape[2], x.type.shape[3]] : x.type.shape;
    const [o, kh, kw] = dims === 'nchw' ? [w.type.shape[0], w.type.shape[2], w.type.shape[3]] : [w.type.shape[3], w.type.shape[0], w.type.shape[1]];
    const ext = (size: number, k: number, i: 0 | 1): number =>
      Math.floor((size + 2 * win.pad[i] - (win.rhsDilate[i] * (k - 1) + 1)) / win.stride[i]) + 1;
    const [oh, ow] = [ext(h, kh, 0), ext(wd, kw, 1)];
    const out = ttype(outElem, dims === 'nchw' ? [n, o, oh, ow] : [n, oh, ow, o]);
    const p = `#stablehlo<precision ${precision}>`;
    return this.def(
      `stablehlo.convolution(${x.ref}, ${w.ref}) dim_numbers = ${CONV_DIM_NUMBERS[dims]}, ` +
        `window = {stride = ${list(win.stride)}, pad = [[${win.pad[0]}, ${win.pad[0]}], [${win.pad[1]}, ${win.pad[1]}]], ` +
        `rhs_dilate = ${list(win.rhsDilate)}} {batch_group_count = 1 : i64, feature_group_count = ${win.groups} : i64, ` +
        `precision_config = [${p}, ${p}]} : ${this.sig([x, w], out)}`,
      out,
    );
  }

  /**
   * `data` indexed along `axis` by every element of `indices` (index_vector_dim = rank(indices), so each
   * index is a scalar): result = data.shape[:axis] + indices.shape + data.shape[axis+1:].
   */
  gather(data: Value, indices: Value, axis: number): Value {
    const r = data.type.shape.length;
    const k = indices.type.shape.length;
    const offsetDims = [...Array(r - 1).keys()].map((i) => (i < axis ? i : i + k));
    const sliceSizes = data.type.shape.map((d, i) => (i === axis ? 1 : d));
    const shape = [...data.type.shape.slice(0, axis), ...indices.type.shape, ...data.type.shape.slice(axis + 1)];
    const out = ttype(data.type.elem, shape);
    const offset = offsetDims.length ? `offset_dims = ${list(offsetDims)}, ` : '';
    return this.def(
      `"stablehlo.gather"(${data.ref}, ${indices.ref}) {dimension_numbers = #stablehlo.gather<${offset}collapsed_slice_dims = [${axis}], ` +
        `start_index_map = [${axis}], index_vector_dim = ${k}>, indices_are_sorted = false, ` +
        `slice_sizes = array<i64: ${sliceSizes.join(', ')}>} : ${this.sig([data, indices], out)}`,
      out,
    );
  }

  /** Several results come back as `%n#i`. */
  private defMany(text: string, types: readonly TType[]): Value[] {
    const ref = this.names.value();
    if (types.length === 1) {
      this.raw(`${ref} = ${text}`);
      return [{ ref, type: types[0] }];
    }
    this.raw(`${ref}:${types.length} = ${text}`);
    return types.map((type, i) => ({ ref: `${ref}#${i}`, type }));
  }

  call(fn: string, args: readonly Value[], results: readonly TType[]): Value[] {
    const sig = `(${args.map((a) => formatTType(a.type)).join(', ')}) -> (${results.map(formatTType).join(', ')})`;
    return this.defMany(`func.call @${fn}(${args.map((a) => a.ref).join(', ')}) : ${sig}`, results);
  }

  /**
   * `stablehlo.while` with every value the body needs passed as an operand (the regions read nothing
   * from above, as JAX's lowering does). `body` returns the next values in operand order.
   */
  whileLoop(inits: readonly Value[], cond: (w: FnWriter, args: Value[]) => Value, body: (w: FnWriter, args: Value[]) => Value[]): Value[] {
    const args = inits.map((v) => ({ ref: this.names.blockArg(), type: v.type }));
    const types = inits.map((v) => formatTType(v.type)).join(', ');
    const header = `stablehlo.while(${args.map((a, i) => `${a.ref} = ${inits[i].ref}`).join(', ')}) : ${types}`;
    const results = this.defMany(
      header,
      inits.map((v) => v.type),
    );
    const cw = this.child();
    const pred = cond(cw, args);
    cw.raw(`stablehlo.return ${pred.ref} : ${formatTType(pred.type)}`);
    const bw = this.child();
    const next = body(bw, args);
    next.forEach((v, i) => {
      if (!sameTType(v.type, inits[i].type)) throw new Error(`while body changes the type of value ${i}`);
    });
    bw.raw(`stablehlo.return ${next.map((v) => v.ref).join(', ')} : ${types}`);
    this.raw('  cond {');
    this.lines.push(...cw.lines);
    this.raw('  } do {');
    this.lines.push(...bw.lines);
    this.raw('  }');
    return results;
  }
}
