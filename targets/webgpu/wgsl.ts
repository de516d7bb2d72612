/**
 * The WGSL writer shared by every kernel template. A template asks for "the value of region node N
 * at index [i0, i1, ...]" and the writer emits straight-line WGSL for it, recursing through the fused
 * producers (so prologue and epilogue fusion cost nothing extra in the templates), memoizing each
 * (node, index) per block scope, and loading region parameters from storage buffers or from the
 * per-step uniform block. It also collects what the assembler needs: used bindings, helper
 * functions, module constants.
 *
 * Storage layout: every float dtype is stored as f32, bool as u32 (docs/targets.md, WebGPU).
 */
import type { Graph, Node } from '../../compiler/core/ir/node.ts';
import { tensorOf } from '../../compiler/core/ir/node.ts';
import { convert, lit, staticShape, stridesOf, valueType } from './wgsl-util.ts';

/** How the plan provides each region parameter. */
export interface ParamSource {
  /** The loop's step index: read from the per-step uniform block, never a buffer. */
  readonly iter?: boolean;
  /** A compile-time table (outer `constant`); `gather(table, iter)` scalars become uniform slots. */
  readonly table?: boolean;
}

/** Asks the plan for the per-step uniform slot holding `table[iter]`. */
export type StepSlotRequest = (paramIndex: number) => number;

interface Override {
  readonly key: string;
  readonly value: string;
}

export class KernelWriter {
  private readonly scopes: { lines: string[]; memo: Map<string, string> }[] = [{ lines: [], memo: new Map() }];
  private readonly overrides = new Map<Node, Override>();
  private readonly paramIndex = new Map<Node, number>();
  private counter = 0;
  private readonly constNames = new Map<Node, string>();
  /** Region params read from storage, by param index. */
  readonly usedParams = new Set<number>();
  /** Highest per-step uniform slot read (-1: none). */
  maxStepSlot = -1;
  readonly helpers = new Map<string, string>();
  readonly moduleConsts: string[] = [];
  readonly shared: string[] = [];

  constructor(
    readonly region: Graph,
    /** The per-element WGSL of an op (the lowering table's `expr` entries; passed in, not imported). */
    private readonly exprOf: (node: Node) => { emit(w: KernelWriter, node: Node, idx: readonly string[]): string },
    private readonly sources: readonly ParamSource[] = [],
    private readonly stepSlot: StepSlotRequest = () => {
      throw new Error('no per-step uniform block here');
    },
  ) {
    region.params.forEach((p, i) => this.paramIndex.set(p, i));
  }

  fresh(prefix = 'v'): string {
    return `${prefix}${this.counter++}`;
  }

  line(text: string): void {
    this.scopes[this.scopes.length - 1].lines.push(text);
  }

  /** Binds `expr` to a fresh `let` unless it is already a name or literal. */
  let(expr: string, prefix = 'v'): string {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(expr) || /^\d+u$/.test(expr)) return expr;
    const name = this.fresh(prefix);
    this.line(`let ${name} = ${expr};`);
    return name;
  }

  /** Emits `header { ... }` with its own memo scope (values computed inside stay inside). */
  block(header: string, body: () => void): void {
    this.scopes.push({ lines: [], memo: new Map() });
    body();
    const inner = this.scopes.pop()!;
    this.line(`${header} {`);
    for (const l of inner.lines) this.line(`  ${l}`);
    this.line('}');
  }

  /** Lines of the outermost scope (the kernel body). */
  bodyLines(): string[] {
    if (this.scopes.length !== 1) throw new Error('unbalanced writer scopes');
    return this.scopes[0].lines;
  }

  /** The anchor's value is computed by the template; the epilogue may read it only at `idx`. */
  setOverride(node: Node, idx: readonly string[], value: string): void {
    this.overrides.set(node, { key: idx.join(','), value });
  }

  /** A module-scope constant for `node`, declared once; names are ordinal so equal kernels get equal WGSL (`table<n>`: a template's local such as the GEMM loop's `k0` must not shadow it). */
  moduleConst(node: Node, declare: (name: string) => string): string {
    let name = this.constNames.get(node);
    if (!name) {
      name = `table${this.constNames.size}`;
      this.constNames.set(node, name);
      this.moduleConsts.push(declare(name));
    }
    return name;
  }

  helper(name: string, source: string): void {
    this.helpers.set(name, source);
  }

  /** The value of region node `node` at multi-index `idx` (u32 WGSL expressions), as a WGSL name. */
  value(node: Node, idx: readonly string[]): string {
    const key = `${node.id}@${idx.join(',')}`;
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const hit = this.scopes[s].memo.get(key);
      if (hit) return hit;
    }
    const expr = this.compute(node, idx);
    const name = this.let(expr);
    this.scopes[this.scopes.length - 1].memo.set(key, name);
    return name;
  }

  private compute(node: Node, idx: readonly string[]): string {
    const ov = this.overrides.get(node);
    if (ov) {
      if (ov.key !== idx.join(',')) {
        throw new Error(`kernel ${this.region.name}: fused epilogue re-indexes the ${node.op} result (fusion invariant broken)`);
      }
      return ov.value;
    }
    if (node.op === 'param') return this.loadParam(node, idx);
    if (node.op === 'constant') return this.constantAt(node, idx);
    const stepScalar = this.stepGather(node);
    if (stepScalar !== undefined) return stepScalar;
    return this.exprOf(node).emit(this, node, idx);
  }

  private loadParam(node: Node, idx: readonly string[]): string {
    const i = this.paramIndex.get(node);
    if (i === undefined) throw new Error(`param ${String(node.attrs.name)} is not a parameter of kernel ${this.region.name}`);
    const dtype = tensorOf(node).dtype;
    if (this.sources[i]?.iter) {
      this.maxStepSlot = Math.max(this.maxStepSlot, 0);
      return convert('bitcast<i32>(step[0].x)', 'i32', valueType(dtype));
    }
    this.usedParams.add(i);
    const load = `in${i}[${this.offset(staticShape(node), idx)}]`;
    return dtype === 'bool' ? `(${load} != 0u)` : load;
  }

  /** Row-major offset of `idx` into a tensor of `shape`, skipping zero terms. */
  offset(shape: readonly number[], idx: readonly string[]): string {
    const strides = stridesOf(shape);
    const terms: string[] = [];
    idx.forEach((e, d) => {
      if (shape[d] === 1 || e === '0u') return;
      terms.push(strides[d] === 1 ? e : `${e} * ${strides[d]}u`);
    });
    return terms.length ? terms.join(' + ') : '0u';
  }

  private constantAt(node: Node, idx: readonly string[]): string {
    const data = node.attrs.data as Float32Array | Int32Array;
    const type = valueType(tensorOf(node).dtype);
    if (data.length === 1) return lit(data[0], type);
    const name = this.moduleConst(node, (n) => `const ${n} = array<${type}, ${data.length}>(${Array.from(data, (x) => lit(x, type)).join(', ')});`);
    return `${name}[${this.offset(staticShape(node), idx)}]`;
  }

  /** `gather(table, iter)` with a scalar result reads the per-step uniform block. */
  private stepGather(node: Node): string | undefined {
    if (node.op !== 'gather' || tensorOf(node).shape.length !== 0) return undefined;
    const [data, index] = node.inputs;
    const di = this.paramIndex.get(data),
      ii = this.paramIndex.get(index);
    if (di === undefined || ii === undefined || !this.sources[di]?.table || !this.sources[ii]?.iter) return undefined;
    const slot = this.stepSlot(di);
    this.maxStepSlot = Math.max(this.maxStepSlot, slot);
    const word = `step[${slot >> 2}].${'xyzw'[slot & 3]}`;
    const type = valueType(tensorOf(node).dtype);
    return type === 'f32' ? `bitcast<f32>(${word})` : type === 'i32' ? `bitcast<i32>(${word})` : word;
  }
}
