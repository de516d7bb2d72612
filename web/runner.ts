/**
 * Browser entry (bundled by scripts/build-web.ts, loaded by web/index.html): runs a sampler compiled
 * with `denoc compile --target webgpu` on `navigator.gpu` and reports the sample.
 *
 * Query parameters: `artifact` — URL of the compiled directory (default `artifact/`); `seed` — the
 * sampler's seed (default 0); `inputs` — optional URL of a JSON object `{name: number[]}` for other
 * inputs; `report` — optional URL the result is POSTed to as JSON. The result is also left in
 * `window.__denoc` and printed on the page.
 */
import { DenocError } from '../compiler/core/diagnostics.ts';
import type { WebGPUPlan } from '../targets/webgpu/plan.ts';
import { acquireDevice, type AdapterDescription } from '../runtime/webgpu/device.ts';
import { WebGPUSession } from '../runtime/webgpu/session.ts';
import { hostArray, planFromArtifact, weightsFromArtifact, type PlanJson, type RunnablePlan } from './artifact.ts';
import type { WeightSet } from '../compiler/core/tensor.ts';

export type RunnerResult =
  | {
      readonly ok: true;
      readonly plan: string;
      readonly seed: number;
      readonly source: string;
      readonly adapter: AdapterDescription;
      readonly outputs: readonly { readonly shape: readonly number[]; readonly data: number[] }[];
      readonly ms: { readonly load: number; readonly session: number; readonly run: number };
    }
  | { readonly ok: false; readonly code: string; readonly error: string };

async function fetchOk(url: URL): Promise<Response> {
  const res = await fetch(url);
  if (!res.ok)
    throw new DenocError({ code: 'WG0210', severity: 'error', message: `compiled WebGPU artifact: GET ${url.pathname} answered ${res.status}` });
  return res;
}

async function loadArtifact(base: URL): Promise<{ plan: RunnablePlan; weights: WeightSet }> {
  const json = (await (await fetchOk(new URL('plan.json', base))).json()) as PlanJson;
  const files = await Promise.all(json.kernels.map(async (k) => [k.file, await (await fetchOk(new URL(k.file, base))).text()] as const));
  const plan = planFromArtifact(json, new Map(files));
  const weights = plan.weights.length
    ? weightsFromArtifact(new Uint8Array(await (await fetchOk(new URL('weights.safetensors', base))).arrayBuffer()), plan)
    : new Map();
  return { plan, weights };
}

async function hostInputs(plan: RunnablePlan, seed: number, inputsUrl: URL | undefined): Promise<Record<string, Float32Array | Int32Array>> {
  const given = inputsUrl ? ((await (await fetchOk(inputsUrl)).json()) as Record<string, number[]>) : {};
  const out: Record<string, Float32Array | Int32Array> = {};
  for (const i of plan.inputs) {
    const values = i.name === 'seed' && !given.seed ? [seed] : given[i.name];
    if (values) out[i.name] = hostArray(i.dtype, values);
  }
  return out;
}

/** Loads, runs and measures; errors become `{ok: false}` with their DenocError code. */
export async function runPage(params: URLSearchParams, pageUrl: string): Promise<RunnerResult> {
  try {
    const t0 = performance.now();
    const base = new URL(params.get('artifact') ?? 'artifact/', pageUrl);
    const seed = Number(params.get('seed') ?? '0');
    const { plan, weights } = await loadArtifact(base);
    const inputsParam = params.get('inputs');
    const inputs = await hostInputs(plan, seed, inputsParam ? new URL(inputsParam, pageUrl) : undefined);
    const gpu = await acquireDevice();
    const t1 = performance.now();
    // The session reads only the fields RunnablePlan keeps (see web/artifact.ts).
    const session = await WebGPUSession.create(plan as unknown as WebGPUPlan, gpu, weights);
    const t2 = performance.now();
    const outs = await session.run(inputs);
    const t3 = performance.now();
    session.destroy();
    gpu.release();
    return {
      ok: true,
      plan: plan.name,
      seed,
      source: gpu.source,
      adapter: gpu.adapter,
      outputs: outs.map((o, i) => ({ shape: plan.outputs[i].shape, data: Array.from(o) })),
      ms: { load: t1 - t0, session: t2 - t1, run: t3 - t2 },
    };
  } catch (e) {
    const code = e instanceof DenocError ? e.diagnostics[0].code : 'internal';
    return { ok: false, code, error: e instanceof Error ? e.message : String(e) };
  }
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const result = await runPage(params, location.href);
  (window as unknown as { __denoc?: RunnerResult }).__denoc = result;
  const status = document.getElementById('status');
  if (status) {
    status.textContent = result.ok
      ? `${result.plan}: ${result.outputs[0]?.data.length ?? 0} values on ${result.source} (${result.adapter.vendor} ${result.adapter.architecture}), run ${result.ms.run.toFixed(1)} ms`
      : `error ${result.code}: ${result.error}`;
  }
  const report = params.get('report');
  if (report) await fetch(new URL(report, location.href), { method: 'POST', body: JSON.stringify(result) });
}

if (typeof window !== 'undefined') void main();
