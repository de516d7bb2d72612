/**
 * The textual IR. Golden tests compare this text; `denoc inspect` prints it; ir-parser reads it back.
 *
 *   graph @name(%x: f32[B,2], %t: f32[B]) {
 *     %0 = weight {path="net.0.weight"} : f32[2,64]
 *     %1 = matmul(%x, %0) : f32[B,64]
 *     %2 = loop(%1) {count=4, carried=1} : (f32[B,64])
 *       body(%iter: i32[], %carried0: f32[B,64]) {
 *         ...
 *         yield %5
 *       }
 *     return %1
 *   }
 */
import { topoOrder, type AttrValue, type Graph, type Node } from './node.ts';
import { formatSpan } from './span.ts';
import { formatType } from './types.ts';

export interface PrintOptions {
  /** Append `loc(file:line:col)` to nodes that carry a span. */
  readonly spans?: boolean;
  /** Print constants with more than this many values as `dense<...N values>` (not parseable). */
  readonly elideConstantsOver?: number;
}

/** Leaf ops whose dtype and shape attributes are printed as the node's type instead. */
const TYPED_LEAVES = new Set(['param', 'weight', 'constant']);

export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return Object.is(x, -0) ? '-0' : String(x);
}

export function formatAttr(v: AttrValue, elideOver = Infinity): string {
  if (v instanceof Float32Array || v instanceof Int32Array) {
    if (v.length > elideOver) return `dense<...${v.length} values>`;
    return `dense<[${Array.from(v, formatNumber).join(', ')}]>`;
  }
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return formatNumber(v);
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : formatNumber(x))).join(', ')}]`;
  return String(v);
}

class Printer {
  private readonly names = new Map<Node, string>();
  private counter = 0;
  private readonly lines: string[] = [];
  constructor(private readonly opts: PrintOptions) {}

  graph(g: Graph, indent: string, header: string, terminator: 'return' | 'yield'): void {
    const params = g.params.map((p) => {
      const name = `%${p.attrs.name as string}`;
      this.names.set(p, name);
      return `${name}: ${formatType(p.type)}`;
    });
    this.lines.push(`${indent}${header}(${params.join(', ')}) {`);
    for (const node of topoOrder(g)) {
      if (node.op === 'param') continue;
      this.node(node, indent + '  ');
    }
    this.lines.push(`${indent}  ${terminator} ${g.outputs.map((o) => this.names.get(o)).join(', ')}`);
    this.lines.push(`${indent}}`);
  }

  private node(n: Node, indent: string): void {
    const name = `%${this.counter++}`;
    this.names.set(n, name);
    const args = n.inputs.length ? `(${n.inputs.map((i) => this.names.get(i)).join(', ')})` : '';
    const attrs = Object.entries(n.attrs)
      .filter(([k]) => !(TYPED_LEAVES.has(n.op) && (k === 'dtype' || k === 'shape')))
      .map(([k, v]) => `${k}=${formatAttr(v, this.opts.elideConstantsOver)}`);
    const attrText = attrs.length ? ` {${attrs.join(', ')}}` : '';
    const loc = this.opts.spans && n.span ? ` loc(${formatSpan(n.span)})` : '';
    this.lines.push(`${indent}${name} = ${n.op}${args}${attrText} : ${formatType(n.type)}${loc}`);
    for (const region of n.regions) this.graph(region, indent + '  ', 'body', 'yield');
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

export function printGraph(graph: Graph, opts: PrintOptions = {}): string {
  const p = new Printer(opts);
  p.graph(graph, '', `graph @${graph.name}`, 'return');
  return p.text();
}
