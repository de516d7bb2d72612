import { sharedDevice, releaseSharedDevice } from './runtime/webgpu/device.ts';
const gpu = await sharedDevice();
const d = gpu.device;
const [M, N, K] = (process.argv[2] ?? '1024,1024,1024').split(',').map(Number);
function buf(n: number) { const b = d.createBuffer({ size: n * 4, usage: 128 | 8 | 4 }); d.queue.writeBuffer(b, 0, Float32Array.from({ length: n }, (_, i) => (i % 7) * 0.1)); return b; }
const A = buf(M * K), Bb = buf(K * N), C = buf(M * N);
async function bench(name: string, code: string, wg: [number, number, number]) {
  const module = d.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  if (info.messages.some((m) => m.type === 'error')) { console.log(name, info.messages.map((m) => m.lineNum + ':' + m.message)); return; }
  const p = await d.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bg = d.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: C } }, { binding: 1, resource: { buffer: A } }, { binding: 2, resource: { buffer: Bb } }] });
  const run = async (n: number) => { const e = d.createCommandEncoder(); const ps = e.beginComputePass(); ps.setPipeline(p); ps.setBindGroup(0, bg); for (let i = 0; i < n; i++) ps.dispatchWorkgroups(...wg); ps.end(); d.queue.submit([e.finish()]); await d.queue.onSubmittedWorkDone(); };
  await run(1);
  const t0 = performance.now(); const reps = 3; await run(reps); const s = (performance.now() - t0) / 1000 / reps;
  console.log(name.padEnd(40), (s * 1000).toFixed(1), 'ms', (2 * M * N * K / s / 1e9).toFixed(2), 'GFLOP/s');
}
const hdr = `@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;`;
// variant: no shared memory, each thread TMxTN, lanes interleaved along n.
function noShared(WGX: number, WGY: number, TM: number, TN: number) {
  const lines: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) lines.push(`var c${i}_${j} = 0.0f;`);
  const body: string[] = [];
  for (let i = 0; i < TM; i++) body.push(`let a${i} = a[(m0 + ${i}u) * ${K}u + k];`);
  for (let j = 0; j < TN; j++) body.push(`let b${j} = b[k * ${N}u + n0 + ${j * WGX}u];`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) body.push(`c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  const st: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) st.push(`out[(m0 + ${i}u) * ${N}u + n0 + ${j * WGX}u] = c${i}_${j};`);
  const code = `${hdr}
@compute @workgroup_size(${WGX}, ${WGY})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let n0 = wid.x * ${WGX * TN}u + lid.x;
  let m0 = (wid.y * ${WGY}u + lid.y) * ${TM}u;
  ${lines.join('\n  ')}
  for (var k = 0u; k < ${K}u; k++) {
    ${body.join('\n    ')}
  }
  ${st.join('\n  ')}
}`;
  return bench(`noshared ${WGX}x${WGY} t${TM}x${TN}`, code, [N / (WGX * TN), M / (WGY * TM), 1]);
}
// variant: shared tiles, threads TXxTY, each TMxTN (interleaved), BK.
function shared(TX: number, TY: number, TM: number, TN: number, BK: number) {
  const BM = TY * TM, BN = TX * TN, T = TX * TY;
  const acc: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) acc.push(`var c${i}_${j} = 0.0f;`);
  const loadA: string[] = [], loadB: string[] = [];
  for (let r = 0; r < (BM * BK) / T; r++) loadA.push(`{ let e = li + ${r * T}u; let kk = e % ${BK}u; let mm = e / ${BK}u; ta[kk * ${BM}u + mm] = a[(m0 + mm) * ${K}u + k0 + kk]; }`);
  for (let r = 0; r < (BN * BK) / T; r++) loadB.push(`{ let e = li + ${r * T}u; let kk = e / ${BN}u; let nn = e % ${BN}u; tb[kk * ${BN}u + nn] = b[(k0 + kk) * ${N}u + n0 + nn]; }`);
  const inner: string[] = [];
  for (let i = 0; i < TM; i++) inner.push(`let a${i} = ta[kk * ${BM}u + ty + ${i * TY}u];`);
  for (let j = 0; j < TN; j++) inner.push(`let b${j} = tb[kk * ${BN}u + tx + ${j * TX}u];`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) inner.push(`c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  const st: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) st.push(`out[(m0 + ty + ${i * TY}u) * ${N}u + n0 + tx + ${j * TX}u] = c${i}_${j};`);
  const code = `${hdr}
var<workgroup> ta: array<f32, ${BM * BK}>;
var<workgroup> tb: array<f32, ${BN * BK}>;
@compute @workgroup_size(${T})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let tx = li % ${TX}u; let ty = li / ${TX}u;
  let n0 = wid.x * ${BN}u; let m0 = wid.y * ${BM}u;
  ${acc.join('\n  ')}
  for (var k0 = 0u; k0 < ${K}u; k0 += ${BK}u) {
    ${loadA.join('\n    ')}
    ${loadB.join('\n    ')}
    workgroupBarrier();
    for (var kk = 0u; kk < ${BK}u; kk++) {
      ${inner.join('\n      ')}
    }
    workgroupBarrier();
  }
  ${st.join('\n  ')}
}`;
  return bench(`shared ${TX}x${TY} t${TM}x${TN} bk${BK}`, code, [N / BN, M / BM, 1]);
}
const which = process.argv[3] ?? 'all';
if (which === 'all' || which === 's') {
  await shared(16, 16, 4, 4, 16);
  await shared(8, 8, 8, 8, 16);
  await shared(8, 8, 8, 8, 32);
  await shared(16, 4, 4, 8, 32);
  await shared(8, 8, 4, 4, 32);
}
if (which === 'x') {
  await noShared(8, 1, 8, 8);
  await noShared(8, 1, 4, 8);
  await noShared(8, 1, 8, 4);
  await noShared(16, 1, 8, 8);
  await noShared(8, 2, 8, 8);
  await noShared(8, 1, 16, 4);
  await noShared(8, 1, 4, 16);
  await noShared(32, 1, 8, 4);
}
if (which === 'all' || which === 'n') {
  await noShared(8, 8, 4, 4);
  await noShared(8, 1, 8, 8);
  await noShared(16, 4, 4, 4);
  await noShared(8, 8, 8, 4);
  await noShared(64, 1, 4, 4);
}
await releaseSharedDevice();
