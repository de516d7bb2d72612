/**
 * Templates on the row skeleton: reductions (sum, mean, reduce_max, variance over any axes),
 * softmax along one axis, and group/layer norm. Variance and the norms use two passes (mean, then
 * squared deviations), as the reference does, rather than E[x²] − E[x]², which cancels badly.
 * The fused epilogue (e.g. an activation after a norm) is applied per element before the write.
 */
import { tensorOf } from '../../../compiler/core/ir/node.ts';
import { numel } from '../../../compiler/core/ir/types.ts';
import { lit, staticShape, valueType } from '../wgsl-util.ts';
import { RowKernel, rowMode, type RowSpace } from './rows.ts';
import { requireEpilogueShape, storeRoot, unflatten, type Template } from './template.ts';

function normAxes(axes: readonly number[], rank: number): number[] {
  return [...new Set(axes.map((a) => (a + rank) % rank))].sort((p, q) => p - q);
}

export const reduceTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
  const r = args.anchor!;
  const x = r.inputs[0];
  const inShape = staticShape(x);
  const axes = normAxes(r.attrs.axes as number[], inShape.length);
  const kept = inShape.filter((_, i) => !axes.includes(i));
  const reduced = axes.map((a) => inShape[a]);
  const space: RowSpace = {
    rows: numel(kept),
    len: numel(reduced),
    input: x,
    element: (wr, row, j) => {
      const k = unflatten(wr, row, kept),
        q = unflatten(wr, j, reduced);
      let ki = 0,
        qi = 0;
      return inShape.map((_, i) => (axes.includes(i) ? q[qi++] : k[ki++]));
    },
  };
  const type = valueType(tensorOf(x).dtype) as 'f32' | 'i32' | 'u32';
  const variance = r.op === 'variance';
  const rk = new RowKernel(w, space, rowMode(space, caps, variance ? 2 : 1));
  const n = lit(space.len, 'f32');
  let result: string;
  if (r.op === 'reduce_max') result = rk.reduce((j) => rk.x(j), 'max', type);
  else {
    const sum = rk.reduce((j) => rk.x(j), 'sum', type);
    if (r.op === 'sum') result = sum;
    else {
      const mean = w.let(`${sum} / ${n}`, 'mean');
      result = mean;
      if (variance) {
        const ss = rk.reduce((j) => {
          const d = w.let(`${rk.x(j)} - ${mean}`, 'd');
          return `${d} * ${d}`;
        }, 'sum');
        result = w.let(`${ss} / ${n}`, 'var');
      }
    }
  }
  const outIdx = unflatten(w, rk.row, staticShape(r));
  storeRoot(w, args, outIdx, result);
  return { workgroupSize: rk.mode.size, workgroups: rk.dispatch(caps), params: { mode: rk.mode.kind }, flops: numel(inShape) };
};

export const softmaxTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
  const sm = args.anchor!;
  const x = sm.inputs[0];
  const shape = staticShape(x);
  const axis = ((sm.attrs.axis as number) + shape.length) % shape.length;
  const outer = shape.filter((_, i) => i !== axis);
  const space: RowSpace = {
    rows: numel(outer),
    len: shape[axis],
    input: x,
    element: (wr, row, j) => {
      const o = unflatten(wr, row, outer);
      return [...o.slice(0, axis), j, ...o.slice(axis)];
    },
  };
  const rk = new RowKernel(w, space, rowMode(space, caps, 3));
  const max = rk.reduce((j) => rk.x(j), 'max');
  const sum = rk.reduce((j) => `exp(${rk.x(j)} - ${max})`, 'sum');
  rk.forEach((j) => {
    const y = w.let(`exp(${rk.x(j)} - ${max}) / ${sum}`, 'y');
    storeRoot(w, args, space.element(w, rk.row, j), y);
  });
  return { workgroupSize: rk.mode.size, workgroups: rk.dispatch(caps), params: { mode: rk.mode.kind }, flops: 5 * numel(shape) };
};

export const normTemplate: Template = (args) => {
  requireEpilogueShape(args);
  const { w, caps } = args;
  const nm = args.anchor!;
  const [x, gamma, beta] = nm.inputs;
  const shape = staticShape(x);
  let space: RowSpace;
  let channel: (j: string, idx: readonly string[]) => string;
  if (nm.op === 'group_norm') {
    const groups = nm.attrs.groups as number;
    const cg = shape[1] / groups,
      spatial = shape.slice(2),
      s = numel(spatial);
    space = {
      rows: shape[0] * groups,
      len: cg * s,
      input: x,
      element: (wr, row, j) => {
        const c = wr.let(`(${row} % ${groups}u) * ${cg}u + ${j} / ${s}u`, 'c');
        return [wr.let(`${row} / ${groups}u`, 'n'), c, ...unflatten(wr, wr.let(`${j} % ${s}u`, 'sp'), spatial)];
      },
    };
    channel = (_, idx) => idx[1];
  } else {
    const lead = shape.slice(0, -1);
    space = {
      rows: numel(lead),
      len: shape[shape.length - 1],
      input: x,
      element: (wr, row, j) => [...unflatten(wr, row, lead), j],
    };
    channel = (j) => j;
  }
  const rk = new RowKernel(w, space, rowMode(space, caps, 3));
  const n = lit(space.len, 'f32');
  const mean = w.let(`${rk.reduce((j) => rk.x(j), 'sum')} / ${n}`, 'mean');
  const ss = rk.reduce((j) => {
    const d = w.let(`${rk.x(j)} - ${mean}`, 'd');
    return `${d} * ${d}`;
  }, 'sum');
  const rstd = w.let(`inverseSqrt(${ss} / ${n} + ${lit(nm.attrs.eps as number, 'f32')})`, 'rstd');
  rk.forEach((j) => {
    const idx = space.element(w, rk.row, j);
    let y = w.let(`(${rk.x(j)} - ${mean}) * ${rstd}`, 'y');
    if (gamma) y = w.let(`${y} * ${w.value(gamma, [channel(j, idx)])}`, 'y');
    if (beta) y = w.let(`${y} + ${w.value(beta, [channel(j, idx)])}`, 'y');
    storeRoot(w, args, idx, y);
  });
  return { workgroupSize: rk.mode.size, workgroups: rk.dispatch(caps), params: { mode: rk.mode.kind }, flops: 8 * numel(shape) };
};
