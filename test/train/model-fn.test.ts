// The differentiable model function (runtime/train/model-fn.ts, train-kernels.ts): its output equals the
// reference executor's, and the custom matmul gradients equal tfjs' own.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../compiler/core/ir/ir-parser.ts';
import { compileFile } from '../../dsl/index.ts';
import { ensureGradients } from '../../compiler/semantics/gradients.ts';
import { runGraph } from '../../runtime/reference/executor.ts';
import { applyReference } from '../../compiler/semantics/tensors.ts';
import { modelFunction } from '../../runtime/train/model-fn.ts';
import { normals } from '../../runtime/train/random.ts';
import { TRAIN_KERNELS } from '../../compiler/semantics/train-kernels.ts';
import { initWeights } from '../../runtime/weights/init.ts';

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('model function', () => {
  it("computes mlp2d's output as the reference executor does", async () => {
    const model = compileFile('examples/mlp2d.dn').models[0];
    const fn = modelFunction(model.graph);
    const init = initWeights(model.parameters, 3);
    const x = normals(1, 1, 0, 16),
      t = Float32Array.from({ length: 8 }, (_, i) => 120 * i);
    const [ref] = await runGraph(model.graph, { inputs: { x: { data: x, shape: [8, 2] }, t: { data: t, shape: [8] } }, weights: init });
    const out = fn.apply(
      { x: tf.tensor(x, [8, 2]), t: tf.tensor(t, [8]) },
      fn.paths.map((p) => tf.tensor(init.get(p)!.data, [...init.get(p)!.shape])),
    );
    expect(maxDiff(out.dataSync(), ref.dataSync())).toBeLessThan(1e-5);
    expect(fn.inputs).toEqual(['x', 't']);
  });

  it('refuses a graph with a loop (a sampler)', () => {
    const sampler = compileFile('examples/mlp2d.dn').samplers[0];
    expect(() => modelFunction(sampler.graph)).toThrow(/TRN0101/);
  });
});

/** One matmul node of the given operand shapes, built by the IR parser (which infers its type). */
function matmulNode(sa: number[], sb: number[], ta: boolean, tb: boolean) {
  const m = ta ? sa.at(-1) : sa.at(-2),
    n = tb ? sb.at(-2) : sb.at(-1);
  const out = [...(sa.length >= sb.length ? sa : sb).slice(0, -2), m, n];
  const text = `graph @g(%a: f32[${sa}], %b: f32[${sb}]) {\n  %0 = matmul(%a, %b) {transposeA=${ta}, transposeB=${tb}} : f32[${out}]\n  return %0\n}`;
  return parseGraph(text).outputs[0];
}

describe('training matmul kernel', () => {
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['a layer [B,k]·[k,n]', [5, 3], [3, 4], false, false],
    ['a 3-D activation times a matrix', [2, 5, 3], [3, 4], false, false],
    ['batched with transposed b', [2, 5, 3], [2, 4, 3], false, true],
    ['batched with transposed a', [2, 3, 5], [2, 3, 4], true, false],
  ];
  it.each(cases)('has the value and gradients of the reference kernel for %s', async (_, sa, sb, ta, tb) => {
    await ensureGradients();
    const node = matmulNode(sa, sb, ta, tb);
    const a = tf.tensor(
      normals(
        2,
        1,
        0,
        sa.reduce((p, d) => p * d),
      ),
      sa,
    );
    const b = tf.tensor(
      normals(
        2,
        2,
        0,
        sb.reduce((p, d) => p * d),
      ),
      sb,
    );
    const reference = (p: tf.Tensor, q: tf.Tensor) => applyReference(node, [p, q], {});
    const fast = (p: tf.Tensor, q: tf.Tensor) => TRAIN_KERNELS.matmul(node, [p, q])!;
    const out = reference(a, b);
    // a random linear functional of the output, so every output element's gradient path is checked
    const weight = tf.tensor(normals(2, 3, 0, out.size), out.shape);
    const grads = (f: typeof fast) => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), weight)) as tf.Scalar)([a, b]);
    expect(maxDiff(fast(a, b).dataSync(), out.dataSync())).toBeLessThan(1e-6);
    const [ga, gb] = grads(fast),
      [ra, rb] = grads(reference);
    expect(maxDiff(ga.dataSync(), ra.dataSync())).toBeLessThan(1e-5);
    expect(maxDiff(gb.dataSync(), rb.dataSync())).toBeLessThan(1e-5);
  });
});

/** One conv2d node (NCHW × OIHW + bias) built by the IR parser. */
function convNode(x: number[], w: number[], stride: number, pad: number) {
  const out = (d: number) => Math.floor((d + 2 * pad - w[2]) / stride) + 1;
  const text = `graph @g(%x: f32[${x}], %w: f32[${w}], %b: f32[${w[0]}]) {\n  %0 = conv2d(%x, %w, %b) {stride=[${stride}, ${stride}], pad=[${pad}, ${pad}], dilation=[1, 1], groups=1} : f32[${[x[0], w[0], out(x[2]), out(x[3])]}]\n  return %0\n}`;
  return parseGraph(text).outputs[0];
}

describe('training conv2d kernel', () => {
  const cases: [string, number[], number[], number, number][] = [
    ['3×3, pad 1, stride 1', [2, 3, 6, 6], [4, 3, 3, 3], 1, 1],
    ['3×3, pad 1, stride 2 on an odd size (a row no window ends on)', [2, 3, 7, 7], [4, 3, 3, 3], 2, 1],
    ['3×3, no pad, stride 2 on an even size', [1, 2, 8, 8], [3, 2, 3, 3], 2, 0],
    ['1×1', [2, 5, 4, 4], [3, 5, 1, 1], 1, 0],
  ];
  it.each(cases)('has the value and gradients of the reference kernel for %s', async (_, sx, sw, stride, pad) => {
    await ensureGradients();
    const node = convNode(sx, sw, stride, pad);
    const size = (s: number[]) => s.reduce((p, d) => p * d);
    const inputs = [
      tf.tensor(normals(4, 1, 0, size(sx)), sx),
      tf.tensor(normals(4, 2, 0, size(sw)), sw),
      tf.tensor(normals(4, 3, 0, sw[0]), [sw[0]]),
    ];
    const reference = (...v: tf.Tensor[]) => applyReference(node, v, {});
    const fast = (...v: tf.Tensor[]) => TRAIN_KERNELS.conv2d(node, v)!;
    const out = reference(...inputs);
    const weight = tf.tensor(normals(4, 4, 0, out.size), out.shape);
    const grads = (f: typeof fast) => tf.grads((...v: tf.Tensor[]) => tf.sum(tf.mul(f(...v), weight)) as tf.Scalar)(inputs);
    expect(maxDiff(fast(...inputs).dataSync(), out.dataSync())).toBeLessThan(1e-5);
    const got = grads(fast),
      want = grads(reference);
    got.forEach((g, i) => {
      expect(g.shape).toEqual(want[i].shape);
      expect(maxDiff(g.dataSync(), want[i].dataSync())).toBeLessThan(1e-4);
    });
  });
});

describe('training upsample and embedding kernels', () => {
  /** Value and gradients of a kernel against the reference kernel on the same node, under a random linear loss. */
  async function expectSameGradients(text: string, inputs: tf.Tensor[], wrt: number[]) {
    await ensureGradients();
    const node = parseGraph(text).outputs[0];
    const out = applyReference(node, inputs, {});
    const weight = tf.tensor(normals(5, 1, 0, out.size), out.shape);
    const grads = (f: (v: tf.Tensor[]) => tf.Tensor) =>
      tf.grads((...w: tf.Tensor[]) => {
        const all = inputs.map((x, i) => (wrt.includes(i) ? w[wrt.indexOf(i)] : x));
        return tf.sum(tf.mul(f(all), weight)) as tf.Scalar;
      })(wrt.map((i) => inputs[i]));
    const fast = (v: tf.Tensor[]) => TRAIN_KERNELS[node.op](node, v)!;
    expect(maxDiff(fast(inputs).dataSync(), out.dataSync())).toBeLessThan(1e-6);
    const got = grads(fast),
      want = grads((v) => applyReference(node, v, {}));
    got.forEach((g, i) => expect(maxDiff(g.dataSync(), want[i].dataSync())).toBeLessThan(1e-5));
  }

  it('sums each upsampled block in the gradient of upsample_nearest (tfjs has none for the reference)', async () => {
    await ensureGradients();
    const node = parseGraph('graph @g(%x: f32[1,2,2,3]) {\n  %0 = upsample_nearest(%x) {scale=2} : f32[1,2,4,6]\n  return %0\n}').outputs[0];
    const x = tf.tensor(normals(5, 2, 0, 12), [1, 2, 2, 3]);
    const weight = normals(5, 4, 0, 48);
    const up = TRAIN_KERNELS.upsample_nearest(node, [x])!;
    expect(maxDiff(up.dataSync(), applyReference(node, [x], {}).dataSync())).toBe(0);
    const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(TRAIN_KERNELS.upsample_nearest(node, [v])!, tf.tensor(weight, [1, 2, 4, 6]))) as tf.Scalar)([
      x,
    ]);
    // d/dx[c,i,j] = Σ of the weights over the 2×2 block that copies pixel (i, j)
    const at = (c: number, i: number, j: number) => weight[c * 24 + i * 6 + j];
    const blocks = Array.from({ length: 12 }, (_, k) => {
      const c = Math.floor(k / 6),
        i = Math.floor((k % 6) / 3),
        j = k % 3;
      return at(c, 2 * i, 2 * j) + at(c, 2 * i, 2 * j + 1) + at(c, 2 * i + 1, 2 * j) + at(c, 2 * i + 1, 2 * j + 1);
    });
    expect(maxDiff(g.dataSync(), blocks)).toBeLessThan(1e-5);
  });

  it('scatters the gradient of an embedding lookup back to the rows it read, repeats included', () =>
    expectSameGradients(
      'graph @g(%t: f32[6,4], %i: i32[5]) {\n  %0 = gather(%t, %i) {axis=0} : f32[5,4]\n  return %0\n}',
      [tf.tensor(normals(5, 3, 0, 24), [6, 4]), tf.tensor([1, 5, 1, 0, 1], [5], 'int32')],
      [0],
    ));
});

describe('training slice kernel (tfjs has no StridedSlice gradient)', () => {
  it('puts the gradient of a strided slice back at the positions it read, zeros elsewhere', async () => {
    await ensureGradients();
    const node = parseGraph('graph @g(%x: f32[5,7]) {\n  %0 = slice(%x) {begin=[1, -7], end=[5, 100], step=[2, 3]} : f32[2,3]\n  return %0\n}')
      .outputs[0];
    const x = tf.tensor(normals(6, 1, 0, 35), [5, 7]);
    expect(Array.from(TRAIN_KERNELS.slice(node, [x])!.dataSync())).toEqual(Array.from(applyReference(node, [x], {}).dataSync()));
    const weight = [1, 2, 3, 4, 5, 6];
    const [g] = tf.grads((v: tf.Tensor) => tf.sum(tf.mul(TRAIN_KERNELS.slice(node, [v])!, tf.tensor(weight, [2, 3]))) as tf.Scalar)([x]);
    // rows 1 and 3, columns 0, 3 and 6
    const expected = new Array(35).fill(0);
    [
      [1, 0],
      [1, 3],
      [1, 6],
      [3, 0],
      [3, 3],
      [3, 6],
    ].forEach(([r, c], k) => {
      expected[r * 7 + c] = weight[k];
    });
    expect(Array.from(g.dataSync())).toEqual(expected);
  });

  it('slices with unit steps as the reference does', () => {
    const node = parseGraph('graph @g(%x: f32[4,6]) {\n  %0 = slice(%x) {begin=[1, 2], end=[3, 6], step=[1, 1]} : f32[2,4]\n  return %0\n}')
      .outputs[0];
    const x = tf.tensor(normals(6, 2, 0, 24), [4, 6]);
    expect(Array.from(TRAIN_KERNELS.slice(node, [x])!.dataSync())).toEqual(Array.from(applyReference(node, [x], {}).dataSync()));
  });
});
