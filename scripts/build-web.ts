/**
 * Bundles the browser runner (web/runner.ts) with esbuild into one ES module, and with `--out DIR`
 * writes it next to web/index.html so a static server can serve the page:
 *
 *   npx tsx scripts/build-web.ts --out out/web
 *
 * The runner reuses the WebGPU session and the safetensors reader. Modules on that path import
 * node:fs / node:path at the top for their Node-only functions (writing artifacts, reading files),
 * which the browser never calls; they resolve here to a stub whose functions throw if called. The
 * dynamic `import('webgpu')` (Dawn, Node only) stays external and is never reached in a page.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const RUNNER_ENTRY = join(ROOT, 'web', 'runner.ts');
export const RUNNER_PAGE = join(ROOT, 'web', 'index.html');

/** Node built-ins the bundled modules import, with the names they import. */
const NODE_STUB = `
const unavailable = (name) => () => { throw new Error(name + ' is not available in a browser'); };
export const readFileSync = unavailable('readFileSync'), writeFileSync = unavailable('writeFileSync');
export const existsSync = unavailable('existsSync'), mkdirSync = unavailable('mkdirSync');
export const join = unavailable('join'), dirname = unavailable('dirname'), basename = unavailable('basename');
export const resolve = unavailable('resolve');
export default {};
`;

const nodeStub: Plugin = {
  name: 'node-stub',
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path)$/ }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, () => ({ contents: NODE_STUB, loader: 'js' }));
  },
};

/** The runner as one browser ES module (source text). */
export async function bundleRunner(): Promise<string> {
  const result = await build({
    entryPoints: [RUNNER_ENTRY],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['webgpu'],
    plugins: [nodeStub],
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

/** Writes runner.js and index.html into `outDir`; returns the paths written. */
export async function buildWeb(outDir: string): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const js = join(outDir, 'runner.js'),
    html = join(outDir, 'index.html');
  writeFileSync(js, await bundleRunner());
  copyFileSync(RUNNER_PAGE, html);
  return [js, html];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const out = i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : join(ROOT, 'out', 'web');
  for (const f of await buildWeb(out)) process.stdout.write(`wrote ${f}\n`);
}
