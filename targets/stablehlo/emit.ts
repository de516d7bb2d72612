/**
 * The StableHLO emitter: one compiled sampler graph → one module whose `@main` runs the denoiser and
 * the whole sampling loop. Parameters come first as arguments, then weights (sorted by path, as the
 * manifest lists them); the loop becomes `stablehlo.while` carrying (step, ...carried, ...captures,
 * ...weights) — or straight-line steps with `unroll` — and coefficient tables stay constants inside
 * the body, read with `dynamic_slice` at the step counter.
 *
 * Before emitting anything the whole graph is checked: every dim must be bound and every op must have
 * a lowering; all problems are reported together in one DenocError.
 */
import { DenocError, type Diagnostic } from '../../compiler/core/diagnostics.ts';
import { allNodesDeep, topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { bindType, formatType, type DType, type TensorType } from '../../compiler/core/ir/types.ts';
import type { LowerCtx } from './lower-context.ts';
import { loweringOf } from './lowerings.ts';
import { ModuleWriter, writeFunction } from './module.ts';
import { resolveOptions, type ResolvedOptions, type StableHLOOptions } from './options.ts';
import { shardingOf } from './sharding.ts';
import { dtypeOfElem, elemOfDType, formatTType, sameTType, ttype, type TType } from './types.ts';
import type { FnWriter, Value } from './writer.ts';

export interface ManifestTensor {
  /** Parameter name, or the weight's dotted path. */
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Position among @main's arguments. */
  readonly arg: number;
}

export interface StableHLOManifest {
  readonly format: 'denoc-stablehlo/1';
  readonly graph: string;
  readonly entry: 'main';
  readonly options: ResolvedOptions;
  readonly inputs: readonly ManifestTensor[];
  readonly weights: readonly ManifestTensor[];
  readonly outputs: readonly { readonly dtype: DType; readonly shape: readonly number[] }[];
}

export interface EmitResult {
  readonly text: string;
  readonly manifest: StableHLOManifest;
}

/** The bound static type of a tensor, or undefined when a symbol is left (reported by checkGraph). */
function staticType(t: TensorType, opts: ResolvedOptions): TType | undefined {
  const b = bindType(t, opts.dims);
  return b.shape.every((d) => typeof d === 'number') ? ttype(elemOfDType(b.dtype), b.shape as number[]) : undefined;
}

function checkGraph(graph: Graph, opts: ResolvedOptions): void {
  const diags: Diagnostic[] = [];
  for (const node of allNodesDeep(graph)) {
    const parts = node.type.kind === 'tuple' ? node.type.elements : [node.type];
    const unbound = parts.flatMap((t) => bindType(t, opts.dims).shape.filter((d): d is string => typeof d === 'string'));
    if (unbound.length) {
      const names = [...new Set(unbound)];
      diags.push({
        code: 'HLO0001',
        severity: 'error',
        span: node.span,
        message: `${node.op} : ${formatType(node.type)} has unbound dim ${names.map((n) => `'${n}'`).join(', ')}; StableHLO needs static shapes`,
        hint: `pass dims: {${names.map((n) => `${n}: <size>`).join(', ')}}`,
      });
    }
    const entry = loweringOf(node.op);
    if (!entry) diags.push({ code: 'HLO0003', severity: 'error', span: node.span, message: `op '${node.op}' has no StableHLO lowering` });
    else if (entry.kind === 'unsupported') {
      diags.push({
        code: 'HLO0003',
        severity: 'error',
        span: node.span,
        message: `op '${node.op}' is not supported by the StableHLO target: ${entry.reason}`,
      });
    }
  }
  if (diags.length) throw new DenocError(diags);
}

interface WeightInfo {
  type: TType;
  mxuUses: number;
  otherUses: number;
}

/** Weights read only by the matrix unit travel as bf16 arguments under precision 'bf16'. */
function collectWeights(graph: Graph, opts: ResolvedOptions): Map<string, WeightInfo> {
  const info = new Map<string, WeightInfo>();
  const nodes = allNodesDeep(graph);
  for (const n of nodes) {
    if (n.op === 'weight' && !info.has(n.attrs.path as string)) {
      info.set(n.attrs.path as string, { type: staticType(n.type as TensorType, opts)!, mxuUses: 0, otherUses: 0 });
    }
  }
  const countUse = (n: Node, mxu: boolean): void => {
    if (n.op !== 'weight') return;
    const w = info.get(n.attrs.path as string)!;
    if (mxu) w.mxuUses++;
    else w.otherUses++;
  };
  for (const n of nodes) {
    const entry = loweringOf(n.op);
    const mxu = entry?.kind === 'lower' ? (entry.mxuInputs ?? []) : [];
    n.inputs.forEach((input, i) => countUse(input, mxu.includes(i)));
  }
  const graphs = (g: Graph): Graph[] => [g, ...topoOrder(g).flatMap((n) => n.regions.flatMap(graphs))];
  for (const g of graphs(graph)) g.outputs.forEach((o) => countUse(o, false));
  if (opts.precision === 'bf16') {
    for (const w of info.values()) if (w.otherUses === 0 && w.type.elem === 'f32') w.type = ttype('bf16', w.type.shape);
  }
  return info;
}

/** One region of the module: its writer and what can be reused inside it. */
interface Region {
  readonly w: FnWriter;
  readonly weight: (path: string) => Value;
  readonly leaves: Map<Node, Value>;
  readonly mxu: Map<string, Value>;
}

class Scope {
  readonly values = new Map<Node, Value>();
  readonly tuples = new Map<Node, Value[]>();
  readonly known = new Map<Node, number>();
  constructor(readonly region: Region) {}

  get(n: Node): Value {
    const v = this.values.get(n);
    if (!v) throw new Error(`internal: ${n.op} node used before it was emitted`);
    return v;
  }

  knownInt(n: Node): number | undefined {
    const k = this.known.get(n);
    if (k !== undefined) return k;
    const data = n.attrs.data;
    return n.op === 'constant' && data instanceof Int32Array && data.length === 1 ? data[0] : undefined;
  }
}

const LEAVES = new Set(['param', 'weight', 'constant']);

/**
 * An array whose elements are computed on first read: a lowering that uses a known step index as a
 * static offset never reads that input, so no constant is emitted for it.
 */
function lazyList<T>(length: number, get: (i: number) => T): readonly T[] {
  const cache = new Map<number, T>();
  const out: T[] = [];
  for (let i = 0; i < length; i++) {
    Object.defineProperty(out, i, {
      enumerable: true,
      get: () => {
        if (!cache.has(i)) cache.set(i, get(i));
        return cache.get(i)!;
      },
    });
  }
  return out;
}

const newRegion = (w: FnWriter, weight: (path: string) => Value): Region => ({ w, weight, leaves: new Map(), mxu: new Map() });

/** Weight paths read anywhere in a graph and its nested regions, sorted. */
function weightPaths(g: Graph): string[] {
  return [
    ...new Set(
      allNodesDeep(g)
        .filter((n) => n.op === 'weight')
        .map((n) => n.attrs.path as string),
    ),
  ].sort();
}

class Emitter {
  readonly module = new ModuleWriter();
  constructor(readonly opts: ResolvedOptions) {}

  /** Leaves are materialised where they are first read, so a table read only in a loop body lives there. */
  emitGraph(scope: Scope, g: Graph): void {
    for (const node of topoOrder(g)) {
      if (scope.values.has(node) || scope.tuples.has(node) || LEAVES.has(node.op)) continue;
      if (node.op === 'loop') scope.tuples.set(node, this.opts.unroll ? this.unrolled(scope, node) : this.whileLoop(scope, node));
      else if (node.op === 'tuple_get') scope.values.set(node, scope.tuples.get(node.inputs[0])![node.attrs.index as number]);
      else if (node.op === 'kernel') scope.values.set(node, this.inlineKernel(scope, node));
      else scope.values.set(node, this.lowerNode(scope, node));
    }
  }

  value(scope: Scope, n: Node): Value {
    const known = scope.known.get(n);
    if (known !== undefined && !scope.values.has(n)) return scope.region.w.splat(known, 'i32');
    if (n.op === 'constant' && !scope.values.has(n)) return this.constant(scope.region, n);
    if (n.op === 'weight') return scope.region.weight(n.attrs.path as string);
    return scope.get(n);
  }

  private constant(region: Region, node: Node): Value {
    let v = region.leaves.get(node);
    if (!v) {
      v = region.w.constant(node.attrs.data as Float32Array | Int32Array, staticType(node.type as TensorType, this.opts)!);
      region.leaves.set(node, v);
    }
    return v;
  }

  private lowerNode(scope: Scope, node: Node): Value {
    const entry = loweringOf(node.op);
    if (entry?.kind !== 'lower') throw new Error(`internal: '${node.op}' reached the emitter without a lowering`);
    const { region } = scope;
    const out = staticType(node.type as TensorType, this.opts)!;
    const ctx: LowerCtx = {
      w: region.w,
      module: this.module,
      node,
      attrs: node.attrs,
      out,
      opts: this.opts,
      inputs: lazyList(node.inputs.length, (i) => this.value(scope, node.inputs[i])),
      knownInt: (i) => scope.knownInt(node.inputs[i]),
      mxu: (v) => this.toMxu(region, v),
    };
    const v = entry.lower(ctx);
    if (!sameTType(v.type, out)) {
      throw new Error(`internal: lowering of '${node.op}' produced ${formatTType(v.type)} for a ${formatTType(out)} node`);
    }
    return v;
  }

  private toMxu(region: Region, v: Value): Value {
    if (this.opts.precision !== 'bf16' || v.type.elem !== 'f32') return v;
    let c = region.mxu.get(v.ref);
    if (!c) {
      c = region.w.convert(v, 'bf16');
      region.mxu.set(v.ref, c);
    }
    return c;
  }

  /** A fused kernel (from the fuse pass) is emitted inline: XLA does its own fusion. */
  private inlineKernel(scope: Scope, node: Node): Value {
    const body = node.regions[0];
    const inner = new Scope(scope.region);
    body.params.forEach((p, i) => {
      const k = scope.knownInt(node.inputs[i]);
      if (k !== undefined) inner.known.set(p, k);
      else inner.values.set(p, this.value(scope, node.inputs[i]));
    });
    this.emitGraph(inner, body);
    return this.value(inner, body.outputs[0]);
  }

  /** Operands: step counter, carried values, non-constant captures, weights read in the body. */
  private whileLoop(scope: Scope, node: Node): Value[] {
    const body = node.regions[0];
    const count = node.attrs.count as number;
    const nc = node.attrs.carried as number;
    const captures = node.inputs.slice(nc);
    const threaded = captures.map((_, i) => i).filter((i) => captures[i].op !== 'constant');
    const paths = weightPaths(body);
    const { w } = scope.region;
    const operands = [
      w.splat(0, 'i32'),
      ...node.inputs.slice(0, nc).map((n) => this.value(scope, n)),
      ...threaded.map((i) => this.value(scope, captures[i])),
      ...paths.map((p) => scope.region.weight(p)),
    ];
    const results = w.whileLoop(
      operands,
      (cw, a) => cw.compare('LT', a[0], cw.splat(count, 'i32')),
      (bw, a) => {
        const weightBase = 1 + nc + threaded.length;
        const inner = new Scope(newRegion(bw, (p) => a[weightBase + paths.indexOf(p)]));
        const [iter, ...rest] = body.params;
        inner.values.set(iter, a[0]);
        rest.slice(0, nc).forEach((p, j) => inner.values.set(p, a[1 + j]));
        rest.slice(nc).forEach((p, j) => {
          const k = threaded.indexOf(j);
          inner.values.set(p, k >= 0 ? a[1 + nc + k] : this.constant(inner.region, captures[j]));
        });
        this.emitGraph(inner, body);
        return [bw.binary('add', a[0], bw.splat(1, 'i32')), ...body.outputs.map((o) => this.value(inner, o)), ...a.slice(1 + nc)];
      },
    );
    return results.slice(1, 1 + nc);
  }

  /** Straight-line steps: the body re-emitted `count` times with the step index as a known constant. */
  private unrolled(scope: Scope, node: Node): Value[] {
    const body = node.regions[0];
    const nc = node.attrs.carried as number;
    const [iter, ...rest] = body.params;
    let carried = node.inputs.slice(0, nc).map((n) => this.value(scope, n));
    for (let i = 0; i < (node.attrs.count as number); i++) {
      scope.region.w.raw(`// step ${i}`);
      const inner = new Scope(scope.region);
      inner.known.set(iter, i);
      rest.forEach((p, j) => {
        const outer = node.inputs[j];
        const k = j < nc ? undefined : scope.knownInt(outer);
        if (k !== undefined) inner.known.set(p, k);
        else inner.values.set(p, j < nc ? carried[j] : this.value(scope, outer));
      });
      this.emitGraph(inner, body);
      carried = body.outputs.map((o) => this.value(inner, o));
    }
    return carried;
  }
}

/** Emits the StableHLO module for `graph` and the manifest describing its arguments. */
export function emitStableHLO(graph: Graph, options: StableHLOOptions = {}): EmitResult {
  const opts = resolveOptions(options);
  checkGraph(graph, opts);
  const weights = collectWeights(graph, opts);
  const paths = [...weights.keys()].sort();
  const paramTypes = graph.params.map((p) => staticType(p.type as TensorType, opts)!);
  const weightTypes = paths.map((p) => weights.get(p)!.type);
  const outTypes = graph.outputs.map((o) => staticType(o.type as TensorType, opts)!);
  const emitter = new Emitter(opts);
  const paramNames = graph.params.map((p) => p.attrs.name as string);
  const sharding = shardingOf(opts.dataParallel, paramNames, [...paramTypes, ...weightTypes], outTypes);
  const spec = {
    visibility: 'public' as const,
    params: [...paramTypes, ...weightTypes],
    results: outTypes,
    argAttrs: sharding.argAttrs,
    resultAttrs: sharding.resultAttrs,
  };
  const main = writeFunction('main', spec, (w, args) => {
    const scope = new Scope(newRegion(w, (p) => args[graph.params.length + paths.indexOf(p)]));
    graph.params.forEach((p, i) => scope.values.set(p, args[i]));
    emitter.emitGraph(scope, graph);
    return graph.outputs.map((o) => emitter.value(scope, o));
  });
  const name = `denoc_${graph.name.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const tensor = (name: string, t: TType, arg: number): ManifestTensor => ({ name, dtype: dtypeOfElem(t.elem), shape: t.shape, arg });
  const manifest: StableHLOManifest = {
    format: 'denoc-stablehlo/1',
    graph: graph.name,
    entry: 'main',
    options: opts,
    inputs: paramNames.map((name, i) => tensor(name, paramTypes[i], i)),
    weights: paths.map((p, i) => tensor(p, weightTypes[i], graph.params.length + i)),
    outputs: outTypes.map((t) => ({ dtype: dtypeOfElem(t.elem), shape: t.shape })),
  };
  return { text: emitter.module.render(name, main, sharding.partitions, sharding.preamble), manifest };
}
