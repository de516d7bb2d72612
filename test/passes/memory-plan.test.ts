// memory-plan: buffer reuse by liveness (hand-computed cases and an independent interference check
// on a fused example model), loop ping-pong buffers, and limit errors that name the tensor.
import { describe, expect, it } from 'vitest';
import '../../compiler/core/ops/index.ts';
import { DenocError } from '../../compiler/core/diagnostics.ts';
import { topoOrder, type Graph, type Node } from '../../compiler/core/ir/node.ts';
import { fuseGraph } from '../../targets/webgpu/passes/fuse.ts';
import { DEFAULT_CAPABILITIES } from '../../targets/webgpu/capabilities.ts';
import { memoryPlan, planMemory, type MemoryPlan } from '../../targets/webgpu/passes/memory-plan.ts';
import { compileFile } from '../../dsl/index.ts';
import { bindGraphDims } from '../../compiler/core/ir/bind-dims.ts';
import { parseIR, runPass } from './helpers.ts';

const plan = (g: Graph, reuse = true): MemoryPlan => planMemory(g, { limits: DEFAULT_CAPABILITIES, elementBytes: () => 4, reuse });
const slotOf = (p: MemoryPlan, n: Node): number => {
  const loc = p.locations.get(n)!;
  if (loc.kind !== 'slot') throw new Error(`${n.op} is not in a slot`);
  return loc.slot;
};
const ops = (g: Graph, op: string): Node[] => topoOrder(g).filter((n) => n.op === op);

const CHAIN = `graph @g(%x: f32[256]) {
  %0 = exp(%x) : f32[256]
  %1 = sin(%0) : f32[256]
  %2 = cos(%1) : f32[256]
  %3 = neg(%2) : f32[256]
  return %3
}`;

describe('memory-plan', () => {
  it('reuses buffers along a chain: two scratch buffers for four kernels', () => {
    const g = parseIR(CHAIN);
    const q = plan(g);
    const slots = ['exp', 'sin', 'cos', 'neg'].map((op) => slotOf(q, ops(g, op)[0]));
    expect(new Set(slots).size).toBe(2);
    expect(slots[0]).toBe(slots[2]);
    expect(slots[1]).not.toBe(slots[0]);
    expect(q.scratchBytes).toBe(2 * 1024);
    expect(q.peakBytes).toBe(3 * 1024);
    expect(q.naiveBytes).toBe(5 * 1024);
    expect(plan(g, false).scratchBytes).toBe(4 * 1024);
  });

  it('keeps a value alive until its last reader, and never gives a kernel its input buffer', () => {
    const g = parseIR(`graph @g(%x: f32[64]) {
  %0 = exp(%x) : f32[64]
  %1 = sin(%0) : f32[64]
  %2 = cos(%1) : f32[64]
  %3 = add(%2, %0) : f32[64]
  return %3
}`);
    const p = plan(g);
    const [e, s, c, a] = ['exp', 'sin', 'cos', 'add'].map((op) => slotOf(p, ops(g, op)[0]));
    expect(new Set([e, s, c]).size).toBe(3);
    expect(a).toBe(s);
  });

  it('gives loop-carried values a ping-pong pair and aliases the result to the right one', () => {
    const text = (count: number): string => `graph @g(%x: f32[8]) {
  %0 = loop(%x) {count=${count}, carried=1} : (f32[8])
    body(%iter: i32[], %carried0: f32[8]) {
      %1 = sin(%carried0) : f32[8]
      %2 = mul(%1, %carried0) : f32[8]
      yield %2
    }
  %3 = tuple_get(%0) {index=0} : f32[8]
  return %3
}`;
    for (const count of [2, 3]) {
      const g = parseIR(text(count));
      const p = plan(g);
      const loop = ops(g, 'loop')[0];
      const mem = p.loops.get(loop)!;
      expect(mem.ping[0]).not.toBe(mem.pong[0]);
      expect(mem.inPlace[0]).toBe(true);
      expect(slotOf(p, ops(g, 'tuple_get')[0])).toBe(count % 2 === 0 ? mem.ping[0] : mem.pong[0]);
      const body = loop.regions[0];
      expect(p.locations.get(body.outputs[0])).toMatchObject({ kind: 'carried', phase: 'next' });
      expect(p.locations.get(body.params[1])).toMatchObject({ kind: 'carried', phase: 'cur' });
      const sin = ops(body, 'sin')[0];
      expect([mem.ping[0], mem.pong[0], slotOf(p, g.params[0])]).not.toContain(slotOf(p, sin));
    }
  });

  it('names the tensor that exceeds the binding limit', () => {
    const g = parseIR(`graph @g(%x: f32[64,1024,1024]) {
  %0 = exp(%x) : f32[64,1024,1024]
  return %0
}`);
    try {
      plan(g);
      expect.fail('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(DenocError);
      const d = (e as DenocError).diagnostics[0];
      expect(d.code).toBe('MP0001');
      expect(d.message).toMatch(/param f32\[64,1024,1024\] needs 256\.0 MiB, over the device's maxStorageBufferBindingSize \(128\.0 MiB\)/);
    }
  });

  it('names the kernel that binds too many storage buffers', () => {
    const g = parseIR(`graph @g(%a: f32[4], %b: f32[4], %c: f32[4]) {
  %0 = concat(%a, %b, %c) {axis=0} : f32[12]
  return %0
}`);
    expect(() => planMemory(g, { limits: { ...DEFAULT_CAPABILITIES, maxStorageBuffersPerShaderStage: 3 } })).toThrow(
      /MP0002: kernel concat binds 4 storage buffers \(3 inputs \+ output\)/,
    );
  });

  it('stores one buffer per weight path and reports stats as a pass without changing the graph', () => {
    const g = parseIR(`graph @g(%x: f32[2,4]) {
  %0 = weight {path="w"} : f32[4,4]
  %1 = matmul(%x, %0) : f32[2,4]
  %2 = weight {path="w"} : f32[4,4]
  %3 = matmul(%1, %2) : f32[2,4]
  return %3
}`);
    const out = runPass(memoryPlan, g);
    expect(out.run.changed).toBe(false);
    expect(out.run.stats.residentBytes).toBe(32 + 64);
  });

  it('never lets two live values share a buffer in a fused unet_small (independent interference check)', () => {
    const model = compileFile('examples/unet_small.dn').models[0];
    const g = fuseGraph(bindGraphDims(model.graph, { B: 2 })).graph;
    const p = plan(g);
    const order = topoOrder(g).filter((n) => n.op === 'kernel');
    const pos = new Map(order.map((n, i) => [n, i]));
    const last = new Map<Node, number>();
    for (const n of order) for (const i of n.inputs) if (pos.has(i)) last.set(i, pos.get(n)!);
    for (const o of g.outputs) last.set(o, Infinity);
    for (const a of order) {
      for (const b of order) {
        if (a === b || pos.get(b)! <= pos.get(a)!) continue;
        const overlap = pos.get(b)! <= (last.get(a) ?? pos.get(a)!);
        if (overlap) expect(slotOf(p, b), `${String(b.attrs.name)} overwrites live ${String(a.attrs.name)}`).not.toBe(slotOf(p, a));
      }
    }
    expect(p.scratchBytes).toBeLessThan(p.naiveBytes - p.residentBytes);
  });
});
