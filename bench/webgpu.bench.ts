/**
 * WebGPU benchmark: one DDIM sampling step of unet_small (batch 1 and 16) and dit_tiny (batch 1
 * and 16), denoc's compiled WebGPU plan vs the same network written with tfjs-core ops running
 * eagerly on @tensorflow/tfjs-backend-webgpu, side by side on the same Dawn adapter (each with its
 * own device). The tfjs peer is written the way a tfjs user would: NHWC, fused conv/matmul + bias.
 * Before timing, its forward pass is checked against denoc's on the same weights and input.
 *
 * Reports per case: time/step (mean over the steps of one timed run after a warm-up run),
 * dispatches/step, peak GPU bytes (denoc: every buffer of the plan; tfjs: the most its buffer
 * manager held), and the achieved GFLOP/s of the conv and matmul kernels (denoc: each dispatch
 * timed alone; tfjs: each conv/matmul op of one forward timed alone on the same shapes; both
 * repeated back to back for ~20 ms so that small kernels are not measured as sync overhead).
 * Writes bench/results/webgpu.json and webgpu.md, ends with
 * `RESULT step_speedup_vs_tfjs_webgpu=<x> dispatch_ratio=<x> memory_ratio=<x>` (tfjs / denoc,
 * unet_small batch 16). Run: `npx tsx bench/webgpu.bench.ts [--quick]` (quick: batch 1 only).
 * For CPU context each case also runs two peers in their own processes (bench/peers/): the same
 * tfjs network on tfjs-backend-wasm, and onnxruntime-node on an ONNX model lowered from denoc's
 * model graph (2 intra-op threads); their ms/step and ratio to denoc join the table.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { create, globals } from 'webgpu';
import type * as TF from '@tensorflow/tfjs-core';
import { compileSampler } from '../compiler/compile.ts';
import { compileSource, type Program } from '../dsl/index.ts';
import { initWeights } from '../runtime/weights/init.ts';
import { sharedDevice, releaseSharedDevice } from '../runtime/webgpu/device.ts';
import { deviceCapabilities, runOnWebGPU } from '../runtime/webgpu/executor.ts';
import { compileForWebGPU } from '../targets/webgpu/compile.ts';
import { WebGPUSession } from '../runtime/webgpu/session.ts';
import { runPeerInChild, type PeerResult } from './peers/child.ts';
import { runWasmPeer } from './peers/wasm-peer.ts';

Object.assign(globalThis, globals);
(globalThis as { navigator?: unknown }).navigator = { gpu: create([]), userAgent: 'node' };
const tf: typeof TF = await import('@tensorflow/tfjs-core');
/** This process is the tfjs-backend-wasm peer of one case (see bench/peers/wasm-peer.ts). */
const wasmPeer = process.argv.includes('--peer');
if (!wasmPeer) {
  await import('@tensorflow/tfjs-backend-webgpu');
  await tf.setBackend('webgpu');
}

const STEPS = 3;
/** A kernel timed alone is repeated back to back for about this long (amortizes the final sync). */
const MIN_MS = 20;
type W = Map<string, TF.Tensor>;

/** Counts tfjs dispatches and the most bytes its buffer manager held (wraps recordAndSubmit). */
const probe = { dispatches: 0, peakBytes: 0 };
if (!wasmPeer) {
  const backend = tf.backend() as unknown as { recordAndSubmit: (...a: unknown[]) => unknown; memory(): { numBytesAllocatedInGPU: number } };
  const record = backend.recordAndSubmit.bind(backend);
  backend.recordAndSubmit = (...a: unknown[]) => {
    probe.dispatches++;
    const r = record(...a);
    probe.peakBytes = Math.max(probe.peakBytes, backend.memory().numBytesAllocatedInGPU);
    return r;
  };
}

/** Conv and matmul calls of one forward, kept to be timed alone afterwards. */
let recording: { flops: number; run: () => TF.Tensor; kind: 'conv' | 'matmul' }[] | undefined;

// ---- the tfjs peer networks (NHWC) ----
const silu = (x: TF.Tensor): TF.Tensor => tf.mul(x, tf.sigmoid(x));
function conv(x: TF.Tensor4D, w: W, p: string, stride = 1, pad = 1): TF.Tensor4D {
  const filter = w.get(`${p}.weight`) as TF.Tensor4D,
    bias = w.get(`${p}.bias`)!;
  const run = (): TF.Tensor4D => tf.fused.conv2d({ x, filter, strides: stride, pad, bias });
  const y = run();
  const [kh, kw, ci, co] = filter.shape;
  recording?.push({ kind: 'conv', run, flops: 2 * (y.size / co) * co * kh * kw * ci });
  return y;
}
function matmul(a: TF.Tensor, b: TF.Tensor, tb = false, bias?: TF.Tensor): TF.Tensor {
  const run = (): TF.Tensor => tf.fused.matMul({ a, b, transposeB: tb, bias });
  recording?.push({ kind: 'matmul', run, flops: 2 * a.size * (tb ? b.shape[b.rank - 2] : b.shape[b.rank - 1]) });
  return run();
}
const linear = (x: TF.Tensor, w: W, p: string): TF.Tensor => matmul(x, w.get(`${p}.weight`)!, false, w.get(`${p}.bias`));
function groupNorm(x: TF.Tensor4D, w: W, p: string, groups = 8): TF.Tensor4D {
  const [b, h, wd, c] = x.shape;
  const g = tf.reshape(x, [b, h, wd, groups, c / groups]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const n = tf.reshape(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, 1e-5))), x.shape);
  return tf.add(tf.mul(n, w.get(`${p}.weight`)!), w.get(`${p}.bias`)!);
}
function layerNorm(x: TF.Tensor): TF.Tensor {
  const { mean, variance } = tf.moments(x, [x.rank - 1], true);
  return tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6)));
}
function timeEmbed(t: TF.Tensor1D, w: W, dim: number): TF.Tensor {
  const half = dim / 2;
  const f = tf.tensor2d(
    Array.from({ length: half }, (_, k) => Math.pow(10000, -k / half)),
    [1, half],
  );
  const args = tf.mul(tf.reshape(t, [-1, 1]), f);
  return linear(silu(linear(tf.concat([tf.cos(args), tf.sin(args)], 1), w, 'time.fc1')), w, 'time.fc2');
}
function mha(x: TF.Tensor, w: W, p: string, heads: number): TF.Tensor {
  const [b, n, d] = x.shape;
  const split = (y: TF.Tensor): TF.Tensor => tf.transpose(tf.reshape(y, [b, n, heads, d / heads]), [0, 2, 1, 3]);
  const [q, k, v] = ['q', 'k', 'v'].map((s) => split(linear(x, w, `${p}.${s}`)));
  const probs = tf.softmax(tf.mul(matmul(q, k, true), 1 / Math.sqrt(d / heads)));
  return linear(tf.reshape(tf.transpose(matmul(probs, v), [0, 2, 1, 3]), [b, n, d]), w, `${p}.proj`);
}
function resBlock(x: TF.Tensor4D, e: TF.Tensor, w: W, p: string): TF.Tensor4D {
  const cout = (w.get(`${p}.conv1.weight`) as TF.Tensor4D).shape[3];
  let h = conv(silu(groupNorm(x, w, `${p}.norm1`)) as TF.Tensor4D, w, `${p}.conv1`);
  h = tf.add(h, tf.reshape(linear(silu(e), w, `${p}.proj`), [-1, 1, 1, cout]));
  h = conv(silu(groupNorm(h, w, `${p}.norm2`)) as TF.Tensor4D, w, `${p}.conv2`);
  return tf.add(w.has(`${p}.skip.weight`) ? conv(x, w, `${p}.skip`, 1, 0) : x, h);
}
function unetSmall(x: TF.Tensor4D, t: TF.Tensor1D, y: TF.Tensor1D, w: W): TF.Tensor4D {
  const e = tf.add(timeEmbed(t, w, 64), tf.gather(w.get('label.weight')!, y));
  const h0 = resBlock(conv(x, w, 'stem'), e, w, 'down0');
  const h1 = resBlock(conv(h0, w, 'pool0.conv', 2), e, w, 'down1');
  let h = resBlock(conv(h1, w, 'pool1.conv', 2), e, w, 'mid.0');
  const [b, hh, ww, c] = h.shape;
  h = tf.add(h, tf.reshape(mha(tf.reshape(groupNorm(h, w, 'attn.norm'), [b, hh * ww, c]), w, 'attn.attn', 4), h.shape));
  h = resBlock(h, e, w, 'mid.1');
  const up = (a: TF.Tensor4D, skip: TF.Tensor4D): TF.Tensor4D =>
    tf.concat([tf.image.resizeNearestNeighbor(a, [skip.shape[1], skip.shape[2]]), skip], 3);
  h = resBlock(up(h, h1), e, w, 'up1');
  h = resBlock(up(h, h0), e, w, 'up0');
  return conv(silu(groupNorm(h, w, 'norm')) as TF.Tensor4D, w, 'out');
}
function ditTiny(x: TF.Tensor4D, t: TF.Tensor1D, y: TF.Tensor1D, w: W): TF.Tensor4D {
  const b = x.shape[0];
  const dim = (w.get('embed.weight') as TF.Tensor4D).shape[3];
  let h = tf.add(tf.reshape(conv(x, w, 'embed', 4, 0), [b, 49, dim]), w.get('pos')!);
  const c = silu(tf.add(timeEmbed(t, w, dim), tf.gather(w.get('label.weight')!, y)));
  const gelu = (z: TF.Tensor): TF.Tensor =>
    tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))))));
  const mod = (z: TF.Tensor, m: TF.Tensor[], i: number): TF.Tensor => tf.add(tf.mul(layerNorm(z), tf.add(1, m[i + 1])), m[i]);
  for (let i = 0; i < 3; i++) {
    const p = `blocks.${i}`;
    const m = tf.split(tf.reshape(linear(c, w, `${p}.ada`), [b, 6, 1, dim]), 6, 1).map((s) => tf.reshape(s, [b, 1, dim]));
    h = tf.add(h, tf.mul(m[2], mha(mod(h, m, 0), w, `${p}.attn`, 4)));
    h = tf.add(h, tf.mul(m[5], linear(gelu(linear(mod(h, m, 3), w, `${p}.mlp.fc1`)), w, `${p}.mlp.fc2`)));
  }
  const m = tf.split(tf.reshape(linear(c, w, 'final.ada'), [b, 2, 1, dim]), 2, 1).map((s) => tf.reshape(s, [b, 1, dim]));
  const patches = tf.reshape(linear(mod(h, m, 0), w, 'final.proj'), [b, 7, 7, 4, 4]);
  return tf.reshape(tf.transpose(patches, [0, 1, 3, 2, 4]), [b, 28, 28, 1]);
}

// ---- harness ----
interface Case {
  readonly model: 'unet_small' | 'dit_tiny';
  readonly batch: number;
}
interface Side {
  stepMs: number;
  dispatchesPerStep: number;
  peakBytes: number;
  convGflops: number;
  matmulGflops: number;
}
interface Row {
  case: string;
  denoc: Side;
  tfjs: Side;
  maxForwardDiff: number;
  wasm?: PeerResult;
  ort?: PeerResult;
}

function program(model: Case['model']): Program {
  const text = readFileSync(`examples/${model}.dn`, 'utf8').replace(/steps: \d+\)/, `steps: ${STEPS})`);
  return compileSource(text, `examples/${model}.dn`);
}

function tfWeights(host: Map<string, Float32Array>, shapes: Map<string, readonly number[]>): W {
  return new Map(
    [...host].map(([path, data]) => {
      const t = tf.tensor(data, [...shapes.get(path)!]);
      return [path, t.rank === 4 ? tf.transpose(t, [2, 3, 1, 0]) : t];
    }),
  );
}

/** DDIM (η = 0) coefficients on DDPM's linear schedule with trailing spacing, as std/samplers.dn. */
function ddimCoefficients(steps: number): { t: number; a: number; b: number }[] {
  const abar: number[] = [];
  let p = 1;
  for (let i = 0; i < 1000; i++) {
    p *= 1 - (1e-4 + ((0.02 - 1e-4) * i) / 999);
    abar.push(p);
  }
  const ts = Array.from({ length: steps }, (_, i) => Math.round(1000 - (i * 1000) / steps) - 1);
  return ts.map((t, i) => {
    const at = abar[t],
      as = i + 1 < steps ? abar[ts[i + 1]] : 1;
    return { t, a: Math.sqrt(as / at), b: Math.sqrt(1 - as) - Math.sqrt((as * (1 - at)) / at) };
  });
}

async function timeTfjs(net: typeof unetSmall, w: W, batch: number): Promise<Omit<Side, 'convGflops' | 'matmulGflops'>> {
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const run = async (): Promise<number> => {
    let x = tf.randomNormal([batch, 28, 28, 1]) as TF.Tensor4D;
    const t0 = performance.now();
    for (const c of ddimCoefficients(STEPS)) {
      const next = tf.tidy(() => {
        const eps = net(x, tf.fill([batch], c.t) as TF.Tensor1D, y, w);
        return tf.add(tf.mul(x, c.a), tf.mul(eps, c.b)) as TF.Tensor4D;
      });
      x.dispose();
      x = next;
    }
    await x.data();
    x.dispose();
    return (performance.now() - t0) / STEPS;
  };
  await run();
  probe.dispatches = 0;
  probe.peakBytes = 0;
  const stepMs = await run();
  return { stepMs, dispatchesPerStep: probe.dispatches / STEPS, peakBytes: probe.peakBytes };
}

/** Each recorded conv/matmul of one forward, timed alone: GFLOP/s per kind. */
async function tfjsKernelRates(net: typeof unetSmall, w: W, batch: number): Promise<Record<'conv' | 'matmul', number>> {
  // The recorded calls read intermediates of the forward, so they live in one scope until the end.
  tf.engine().startScope();
  recording = [];
  const x = tf.randomNormal([batch, 28, 28, 1]) as TF.Tensor4D;
  net(x, tf.fill([batch], 500) as TF.Tensor1D, tf.zeros([batch], 'int32') as TF.Tensor1D, w);
  const calls = recording;
  recording = undefined;
  const sums = { conv: [0, 0], matmul: [0, 0] };
  for (const c of calls) {
    let t0 = performance.now();
    await c.run().data();
    const reps = Math.max(1, Math.min(256, Math.ceil(MIN_MS / (performance.now() - t0))));
    t0 = performance.now();
    let last = c.run();
    for (let i = 1; i < reps; i++) {
      last.dispose();
      last = c.run();
    }
    await last.data();
    sums[c.kind][0] += c.flops * reps;
    sums[c.kind][1] += (performance.now() - t0) / 1000;
    last.dispose();
  }
  tf.engine().endScope();
  return { conv: sums.conv[0] / sums.conv[1] / 1e9, matmul: sums.matmul[0] / sums.matmul[1] / 1e9 };
}

async function runCase(c: Case): Promise<Row> {
  const p = program(c.model);
  const model = p.models[0];
  const init = initWeights(model.parameters, 0);
  const host = new Map([...init].map(([k, v]) => [k, Float32Array.from(v.data)]));
  const shapes = new Map([...init].map(([k, v]) => [k, v.shape]));
  const gpu = await sharedDevice();
  const caps = await deviceCapabilities(gpu);
  const dims = { B: c.batch };
  // Compile first: fold-constants evaluates on tfjs' cpu backend, and switching backends while
  // webgpu tensors are alive would strand them.
  const plan = compileForWebGPU(compileSampler(p.samplers[0].graph), { dims, caps });
  const modelPlan = compileForWebGPU(model.graph, { dims, caps });
  const w = tfWeights(host, shapes);
  const net = c.model === 'unet_small' ? unetSmall : ditTiny;
  // Same network: denoc's model graph and the tfjs peer on one input.
  const x = Float32Array.from({ length: c.batch * 784 }, (_, i) => Math.sin(i * 0.1));
  const labels = Int32Array.from({ length: c.batch }, (_, i) => i % 10);
  const [ours] = await runOnWebGPU(modelPlan, { inputs: { x, t: new Float32Array(c.batch).fill(400), y: labels }, weights: init, gpu });
  const peer = tf.tidy(() => net(tf.tensor4d(x, [c.batch, 28, 28, 1]), tf.fill([c.batch], 400) as TF.Tensor1D, tf.tensor1d(labels, 'int32'), w));
  const theirs = await peer.data();
  peer.dispose();
  const maxForwardDiff = ours.reduce((m, v, i) => Math.max(m, Math.abs(v - theirs[i])), 0);
  // denoc: the compiled sampler; one run = noise + STEPS steps, recorded in one encoder.
  const session = await WebGPUSession.create(plan, gpu, init);
  const inputs = { seed: Int32Array.of(1), ...(plan.inputs.some((i) => i.name === 'y') ? { y: labels } : {}) };
  await session.run(inputs);
  const stepMs = ((await session.time(1)) * 1000) / STEPS;
  const rates = { conv: [0, 0], matmul: [0, 0] };
  for (const k of await session.profile(MIN_MS)) {
    const kind = k.template === 'conv2d' ? 'conv' : k.template === 'matmul' ? 'matmul' : undefined;
    if (kind) {
      rates[kind][0] += k.flops;
      rates[kind][1] += k.seconds;
    }
  }
  session.destroy();
  const denoc: Side = {
    stepMs,
    dispatchesPerStep: plan.stats.dispatchesPerStep,
    peakBytes: plan.stats.peakBytes,
    convGflops: rates.conv[0] / rates.conv[1] / 1e9,
    matmulGflops: rates.matmul[0] / rates.matmul[1] / 1e9,
  };
  const t = await timeTfjs(net, w, c.batch);
  const tr = await tfjsKernelRates(net, w, c.batch);
  tf.dispose([...w.values()]);
  return { case: `${c.model} B=${c.batch}`, denoc, tfjs: { ...t, convGflops: tr.conv, matmulGflops: tr.matmul }, maxForwardDiff };
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '–');
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
const peerCells = (p: PeerResult | undefined, d: Side): string => (p ? `${fmt(p.stepMs, 1)} | ${fmt(p.stepMs / d.stepMs)}×` : '– | –');
const peerDiff = (p: PeerResult | undefined): string => (p ? p.maxForwardDiff.toExponential(1) : '–');

function markdown(rows: Row[], device: string): string {
  const lines = [
    `# WebGPU benchmark: denoc vs tfjs-backend-webgpu (eager)`,
    '',
    `Device: ${device}. One DDIM step (mean of ${STEPS} after a warm-up run). Ratios are tfjs / denoc.`,
    '',
    'CPU peers, each in its own process on the host CPU: tfjs-backend-wasm (the same tfjs network, single-threaded ' +
      "in Node) and onnxruntime-node (an ONNX model lowered from denoc's model graph, 2 intra-op threads); their ratio is peer / denoc.",
    '',
    '| case | ms/step denoc | ms/step tfjs | speedup | ms/step tfjs-wasm | wasm/denoc | ms/step ort | ort/denoc | dispatches/step denoc | tfjs | ratio | peak MiB denoc | tfjs | ratio | conv GFLOP/s denoc | tfjs | matmul GFLOP/s denoc | tfjs | max |Δ| forward | wasm | ort |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const d = r.denoc,
      t = r.tfjs;
    lines.push(
      `| ${r.case} | ${fmt(d.stepMs, 1)} | ${fmt(t.stepMs, 1)} | ${fmt(t.stepMs / d.stepMs)}× | ${peerCells(r.wasm, d)} | ${peerCells(r.ort, d)} | ` +
        `${d.dispatchesPerStep} | ${t.dispatchesPerStep} | ` +
        `${fmt(t.dispatchesPerStep / d.dispatchesPerStep)}× | ${mib(d.peakBytes)} | ${mib(t.peakBytes)} | ${fmt(t.peakBytes / d.peakBytes)}× | ` +
        `${fmt(d.convGflops)} | ${fmt(t.convGflops)} | ${fmt(d.matmulGflops)} | ${fmt(t.matmulGflops)} | ${r.maxForwardDiff.toExponential(1)} | ${peerDiff(r.wasm)} | ${peerDiff(r.ort)} |`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Each case runs in its own process, so neither side inherits the other's (or an earlier case's) buffers. */
function runCaseInChild(c: Case): Row {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--case', `${c.model}:${c.batch}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('CASE '));
  if (child.status !== 0 || !line) throw new Error(`benchmark case ${c.model} B=${c.batch} failed (exit ${child.status})\n${child.stdout}`);
  const row = JSON.parse(line.slice(5)) as Row;
  const coefficients = ddimCoefficients(STEPS);
  return {
    ...row,
    wasm: runPeerInChild('wasm', c.model, c.batch, coefficients, process.argv[1]),
    ort: runPeerInChild('ort', c.model, c.batch, coefficients, process.argv[1]),
  };
}

/** The wasm peer's view of the tfjs network code above. */
async function wasmPeerCase(c: Case): Promise<PeerResult> {
  const net = c.model === 'unet_small' ? unetSmall : ditTiny;
  return runWasmPeer<W>(c.model, c.batch, {
    weights: (host, shapes) => tfWeights(new Map(host), new Map(shapes)),
    forward: async (w, x, t, labels) => {
      const out = tf.tidy(() => net(tf.tensor4d(x, [c.batch, 28, 28, 1]), tf.fill([c.batch], t) as TF.Tensor1D, tf.tensor1d(labels, 'int32'), w));
      const data = (await out.data()) as Float32Array;
      out.dispose();
      return data;
    },
    timeStep: async (w) => (await timeTfjs(net, w, c.batch)).stepMs,
    dispose: (w) => tf.dispose([...w.values()]),
  });
}

const only = process.argv.indexOf('--case');
if (only >= 0) {
  const [model, batch] = process.argv[only + 1].split(':');
  const c: Case = { model: model as Case['model'], batch: Number(batch) };
  if (wasmPeer) console.log(`PEER ${JSON.stringify(await wasmPeerCase(c))}`);
  else console.log(`CASE ${JSON.stringify(await runCase(c))}`);
  await releaseSharedDevice();
  process.exit(0);
}
const cases: Case[] = process.argv.includes('--quick')
  ? [
      { model: 'unet_small', batch: 1 },
      { model: 'dit_tiny', batch: 1 },
    ]
  : [
      { model: 'unet_small', batch: 1 },
      { model: 'unet_small', batch: 16 },
      { model: 'dit_tiny', batch: 1 },
      { model: 'dit_tiny', batch: 16 },
    ];
const rows: Row[] = [];
for (const c of cases) {
  const row = runCaseInChild(c);
  rows.push(row);
  console.log(
    `${row.case}: denoc ${fmt(row.denoc.stepMs, 1)} ms/step, tfjs ${fmt(row.tfjs.stepMs, 1)} ms/step (${fmt(row.tfjs.stepMs / row.denoc.stepMs)}×), ` +
      `tfjs-wasm ${fmt(row.wasm?.stepMs ?? NaN, 1)}, ort ${fmt(row.ort?.stepMs ?? NaN, 1)} ms/step`,
  );
}
const gpu = await sharedDevice();
const device = `${gpu.adapter.description || gpu.adapter.device} (${gpu.adapter.software ? 'software' : 'GPU'})`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/webgpu.json', JSON.stringify({ device, steps: STEPS, date: new Date().toISOString(), rows }, null, 1) + '\n');
writeFileSync('bench/results/webgpu.md', markdown(rows, device));
console.log(markdown(rows, device));
const key = rows.find((r) => r.case === 'unet_small B=16') ?? rows[0];
console.log(
  `RESULT step_speedup_vs_tfjs_webgpu=${fmt(key.tfjs.stepMs / key.denoc.stepMs)} ` +
    `dispatch_ratio=${fmt(key.tfjs.dispatchesPerStep / key.denoc.dispatchesPerStep)} memory_ratio=${fmt(key.tfjs.peakBytes / key.denoc.peakBytes)}`,
);
await releaseSharedDevice();
process.exit(0);
