// A sampler compiled by denoc runs on WebGPU inside headless Chromium (SwiftShader adapter) and
// gives the reference executor's sample: |browser − reference| ≤ 1e-4·max|ref| + 1e-4·|ref| per
// element (the examples tolerance of docs/targets.md). The page (web/index.html + the bundled
// web/runner.ts) fetches the artifact `denoc compile --target webgpu` writes and POSTs its result.
// Without chromium or a WebGPU adapter the test skips with the reason — except under CI=true,
// where it fails, so CI cannot pass by skipping.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleRunner, RUNNER_PAGE } from '../../scripts/build-web.ts';
import type { RunnerResult } from '../../web/runner.ts';
import { expectClose } from '../webgpu/compare.ts';
import { requireGpuInCi } from '../webgpu/gpu.ts';
import { CHROMIUM, launchChromium, servePage, within } from './harness.ts';
import { BATCH, compileMlp2d, maxAbs, referenceSample } from './mlp2d.ts';

const SEED = 7;
const PAGE_TIMEOUT_MS = 60_000;

/** Fails under CI, otherwise skips with `reason`. */
function unavailable(skip: (note: string) => void, reason: string): void {
  if (requireGpuInCi()) throw new Error(`CI=true but ${reason}`);
  console.warn(`skipping the browser WebGPU test: ${reason}`);
  skip(reason);
}

describe('a compiled sampler on WebGPU in headless Chromium', () => {
  it(`mlp2d DDIM (batch ${BATCH}) equals the reference executor`, async (ctx) => {
    if (!existsSync(CHROMIUM)) {
      unavailable(ctx.skip, `no Chromium at ${CHROMIUM} (apt-get install chromium)`);
      return;
    }
    const compiled = await compileMlp2d();
    const server = await servePage({ '/index.html': readFileSync(RUNNER_PAGE, 'utf8'), '/runner.js': await bundleRunner() }, compiled.dir);
    const browser = launchChromium(`${server.url}/index.html?seed=${SEED}&report=/result`);
    let result: RunnerResult;
    try {
      result = (await within(
        server.result,
        PAGE_TIMEOUT_MS,
        () => `the page did not report within ${PAGE_TIMEOUT_MS / 1000} s; chromium said:\n${browser.log().slice(-3000)}`,
      )) as RunnerResult;
    } finally {
      browser.close();
      await server.close();
      rmSync(compiled.dir, { recursive: true, force: true });
    }
    if (!result.ok && result.code === 'WG0001') {
      unavailable(ctx.skip, `Chromium found no WebGPU adapter: ${result.error}`);
      return;
    }
    if (!result.ok) expect.fail(`the page failed: ${result.code}: ${result.error}`);
    expect(result.source).toBe('navigator');
    const a = result.adapter;
    expect(`${a.vendor}${a.architecture}${a.device}${a.description}`, 'the adapter describes itself').not.toBe('');
    expect(result.outputs).toHaveLength(1);
    expect(result.outputs[0].shape).toEqual([BATCH, 2]);
    const expected = await referenceSample(compiled, SEED);
    expectClose(result.outputs[0].data, expected, { rtol: 1e-4, atol: 1e-4 * maxAbs(expected) }, 'browser sample');
    // A different seed gives a different sample: the page really used the seed it was given.
    const other = await referenceSample(compiled, SEED + 1);
    expect(maxAbs(other.map((v, i) => v - result.outputs[0].data[i]))).toBeGreaterThan(1e-2);
  }, 120_000);
});
