/**
 * The row-reduction skeleton behind the reduce, softmax and norm templates. A kernel reduces
 * `rows` independent rows of `len` elements, in one of two modes:
 *   - thread: one thread per row, serial loops (many short rows: layer norm over tokens);
 *   - workgroup: one workgroup per row, strided loops and a shared-memory tree (few long rows:
 *     group norm). Each thread visits the same elements in every pass, so when a row fits in
 *     workgroup memory the first pass caches the (fused, possibly expensive) input values there and
 *     later passes read the cache without a barrier.
 */
import type { Node } from '../../../compiler/core/ir/node.ts';
import type { Capabilities } from '../capabilities.ts';
import type { KernelWriter } from '../wgsl.ts';
import { grid1d, LINEAR_WORKGROUP } from './template.ts';

export interface RowSpace {
  readonly rows: number;
  readonly len: number;
  /** The reduced input. */
  readonly input: Node;
  /** Input multi-index of element `j` of row `row`. */
  element(w: KernelWriter, row: string, j: string): string[];
}

export type RowMode =
  | { readonly kind: 'thread'; readonly size: number }
  | { readonly kind: 'workgroup'; readonly size: number; readonly cache: number };

/** Long rows get a workgroup each unless there are so many rows that one thread each suffices. */
export function rowMode(space: RowSpace, caps: Capabilities, passes: number): RowMode {
  const cached = (size: number): RowMode => {
    const budget = caps.maxComputeWorkgroupStorageSize / 4 - size;
    return { kind: 'workgroup', size, cache: passes > 1 && space.len <= budget ? space.len : 0 };
  };
  // On a CPU one SIMD group per row is as fast as a cooperating workgroup, without barriers;
  // a workgroup of one SIMD group still helps when there are too few rows to keep cores busy.
  if (caps.software) return space.rows >= 16 || space.len <= 256 ? { kind: 'thread', size: 8 } : cached(8);
  if (space.len <= 256 || space.rows >= 16384) return { kind: 'thread', size: 64 };
  return cached(space.len >= 1024 ? 256 : 64);
}

export class RowKernel {
  private cached = false;
  readonly row: string;

  constructor(
    private readonly w: KernelWriter,
    private readonly space: RowSpace,
    readonly mode: RowMode,
  ) {
    if (mode.kind === 'thread') {
      w.line(`let row = (${LINEAR_WORKGROUP}) * ${mode.size}u + lid.x;`);
    } else {
      w.line(`let row = ${LINEAR_WORKGROUP};`);
      w.shared.push(`var<workgroup> red: array<f32, ${mode.size}>;`);
      if (mode.cache) w.shared.push(`var<workgroup> rowCache: array<f32, ${mode.cache}>;`);
    }
    w.line(`if (row >= ${space.rows}u) { return; }`);
    this.row = 'row';
  }

  dispatch(caps: Capabilities): [number, number, number] {
    const groups = this.mode.kind === 'thread' ? Math.ceil(this.space.rows / this.mode.size) : this.space.rows;
    return grid1d(groups, caps);
  }

  /** The input value at element `j` of this thread's row (from the row cache once it is filled). */
  x(j: string): string {
    if (this.cached) return this.w.let(`rowCache[${j}]`, 'x');
    return this.w.value(this.space.input, this.space.element(this.w, this.row, j));
  }

  private loop(body: (j: string) => void): void {
    const header =
      this.mode.kind === 'thread'
        ? `for (var j = 0u; j < ${this.space.len}u; j++)`
        : `for (var j = lid.x; j < ${this.space.len}u; j += ${this.mode.size}u)`;
    this.w.block(header, () => body('j'));
  }

  /** Reduces f(j) over the row with + or max; the result is the same in every thread of the row. */
  reduce(f: (j: string) => string, op: 'sum' | 'max', type: 'f32' | 'i32' | 'u32' = 'f32'): string {
    const w = this.w;
    const acc = w.fresh('acc');
    const init =
      op === 'sum'
        ? type === 'f32'
          ? '0.0f'
          : `0${type === 'u32' ? 'u' : 'i'}`
        : type === 'f32'
          ? '-3.0e38f'
          : type === 'i32'
            ? 'i32(-2147483648)'
            : '0u';
    const combine = (a: string, b: string): string => (op === 'sum' ? `${a} + ${b}` : `max(${a}, ${b})`);
    w.line(`var ${acc}: ${type} = ${init};`);
    const fill = this.mode.kind === 'workgroup' && this.mode.cache > 0 && !this.cached;
    this.loop((j) => {
      const v = f(j);
      if (fill) w.line(`rowCache[${j}] = f32(${this.w.value(this.space.input, this.space.element(w, this.row, j))});`);
      w.line(`${acc} = ${combine(acc, v)};`);
    });
    if (fill) this.cached = true;
    if (this.mode.kind === 'thread') return acc;
    if (type !== 'f32') throw new Error('workgroup-mode reductions accumulate f32 only');
    const size = this.mode.size;
    w.line(`red[lid.x] = ${acc};`);
    w.line('workgroupBarrier();');
    w.block(`for (var s = ${size / 2}u; s > 0u; s >>= 1u)`, () => {
      w.line(`if (lid.x < s) { red[lid.x] = ${combine('red[lid.x]', 'red[lid.x + s]')}; }`);
      w.line('workgroupBarrier();');
    });
    const res = w.fresh('res');
    w.line(`let ${res} = red[0];`);
    w.line('workgroupBarrier();');
    return res;
  }

  /** Visits every element of the row (the final write pass). */
  forEach(body: (j: string) => void): void {
    this.loop(body);
  }
}
