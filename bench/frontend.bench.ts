/**
 * Front-end speed: parse + check + lower of examples/unet_small.dn with its DDIM sampler (the
 * model graph and the 20-step sampler graph), median of 5 runs after one warm-up that builds the
 * chevrotain parser. Target: under 2 s. Run with `npm run bench:frontend`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allNodesDeep } from '../compiler/core/ir/node.ts';
import { compileSource } from '../dsl/index.ts';

const file = fileURLToPath(new URL('../examples/unet_small.dn', import.meta.url));
const text = readFileSync(file, 'utf8');
const TARGET_MS = 2000;

function once(): { ms: number; nodes: number } {
  const t0 = performance.now();
  const program = compileSource(text, file);
  const ms = performance.now() - t0;
  const nodes = [...program.models, ...program.samplers].reduce((n, a) => n + allNodesDeep(a.graph).length, 0);
  return { ms, nodes };
}

const warm = once();
const runs = Array.from({ length: 5 }, once)
  .map((r) => r.ms)
  .sort((a, b) => a - b);
const median = runs[2];
console.log(
  `frontend unet_small (model + ddim sampler, ${warm.nodes} IR nodes): first ${warm.ms.toFixed(1)} ms, ` +
    `median of 5 ${median.toFixed(1)} ms [${runs.map((r) => r.toFixed(1)).join(', ')}] (target < ${TARGET_MS} ms)`,
);
console.log(`RESULT frontend_ms=${median.toFixed(1)} ${median < TARGET_MS ? 'ok' : 'SLOW'}`);
