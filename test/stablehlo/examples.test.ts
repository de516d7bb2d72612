// Every example model and sampler (examples/*.dn, each with DDIM and DPM-Solver++(2M)), compiled by the default pipeline, emitted as one
// StableHLO module, parsed back and interpreted, against the reference executor — in f32 tightly and
// in bf16 within the documented tolerance (docs/targets.md). The sampling loops are cut to their
// first steps to keep the suite fast; the emitted loop and tables are the full sampler's.
// unet_small's samplers are the exception: they cost two minutes here and bring no op that the other
// samplers do not (asserted below); its model runs here, and its DDIM sampler runs on real XLA (xla.test.ts).
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { compileSampler } from '../../compiler/compile.ts';
import { allNodesDeep, type Graph } from '../../compiler/core/ir/node.ts';
import { rewriteGraph } from '../../compiler/core/ir/rewrite.ts';
import { tensorType } from '../../compiler/core/ir/types.ts';
import { compileSource, type Program } from '../../dsl/index.ts';
import { initWeights } from '../../runtime/weights/init.ts';
import { compareWithReference, normals, type Data } from './helpers.ts';

const STEPS = 2;
/** Examples whose samplers are left to real XLA: the interpreter checks their models only. */
const SAMPLERS_ON_XLA_ONLY = ['unet_small.dn'];

/** The same sampler running only its first `steps` steps (tables keep their full length). */
function firstSteps(graph: Graph, steps: number): Graph {
  return rewriteGraph(graph, (n, inputs, b, regions) =>
    n.op === 'loop' ? b.op('loop', inputs, { ...n.attrs, count: Math.min(steps, n.attrs.count as number) }, n.span, regions) : undefined,
  );
}

function inputsFor(graph: Graph, batch: number): Record<string, Data> {
  return Object.fromEntries(
    graph.params.map((p) => {
      const t = p.type.kind === 'tensor' ? p.type : tensorType('f32', []);
      const n = t.shape.reduce<number>((acc, d) => acc * (typeof d === 'number' ? d : batch), 1);
      const data: Data =
        t.dtype === 'i32' ? (t.shape.length === 0 ? Int32Array.of(11) : Int32Array.from({ length: n }, (_, i) => i % 3)) : normals(n, 5);
      return [p.attrs.name as string, data];
    }),
  );
}

// the denoisers: examples that declare a sampler (the classifier of `denoc eval` has none to check)
const examples = readdirSync('examples')
  .filter((f) => f.endsWith('.dn') && /^sampler /m.test(readFileSync(`examples/${f}`, 'utf8')))
  .sort();

/** The example as written, plus a DPM-Solver++(2M) sampler for its last model where it has none. */
function withDpmpp2m(file: string): Program {
  const path = `examples/${file}`;
  const text = readFileSync(path, 'utf8');
  if (/= dpmpp_2m\(/.test(text)) return compileSource(text, path);
  const model = compileSource(text, path).models.at(-1)!.name;
  return compileSource(`${text}\nsampler dpmpp_2m_check = dpmpp_2m(${model}, steps: 10)\n`, path);
}

const programs = new Map(examples.map((file) => [file, withDpmpp2m(file)]));

/** The ops of every sampler of the given examples, after the default pipeline. */
function samplerOps(files: readonly string[]): Set<string> {
  const samplers = files.flatMap((f) => programs.get(f)!.samplers);
  return new Set(samplers.flatMap((s) => allNodesDeep(compileSampler(s.graph)).map((n) => n.op)));
}

describe('StableHLO on the example samplers', () => {
  it('finds the examples', () => expect(examples.length).toBeGreaterThanOrEqual(3));

  it('interprets every op of the samplers it leaves to XLA in the samplers of other examples', () => {
    const interpreted = samplerOps(examples.filter((f) => !SAMPLERS_ON_XLA_ONLY.includes(f)));
    expect([...samplerOps(SAMPLERS_ON_XLA_ONLY)].filter((op) => !interpreted.has(op))).toEqual([]);
  });

  for (const file of examples) {
    const program = programs.get(file)!;
    for (const model of program.models) {
      const weights = new Map([...initWeights(model.parameters, 7)].map(([path, t]) => [path, t.data]));
      const graph = compileSampler(model.graph);
      it(`${file} model ${model.name}: f32 and bf16 forward passes match the reference`, async () => {
        const inputs = inputsFor(graph, 1);
        const f32 = await compareWithReference(graph, inputs, weights, { dims: { B: 1 } });
        for (const e of f32.errors) expect(e.maxErr).toBeLessThanOrEqual(1e-4 + 1e-5 * e.maxRef);
        const bf16 = await compareWithReference(graph, inputs, weights, { dims: { B: 1 }, precision: 'bf16' });
        for (const e of bf16.errors) expect(e.maxErr).toBeLessThanOrEqual(5e-2 + 2e-2 * e.maxRef);
      });
    }
    if (SAMPLERS_ON_XLA_ONLY.includes(file)) continue;
    for (const sampler of program.samplers) {
      const model = program.models.find((m) => m.name === sampler.modelName)!;
      const weights = new Map([...initWeights(model.parameters, 7)].map(([path, t]) => [path, t.data]));
      const graph = firstSteps(compileSampler(sampler.graph), STEPS);
      const inputs = inputsFor(graph, 2);

      it(`${file} ${sampler.name}: f32 matches the reference`, async () => {
        const c = await compareWithReference(graph, inputs, weights, { dims: { B: 2 } });
        expect(c.emitted.text).toContain('stablehlo.while');
        for (const e of c.errors) expect(e.maxErr).toBeLessThanOrEqual(1e-4 + 1e-5 * e.maxRef);
      });

      // Only on the smallest example: the unet would double the suite's time for the same check.
      if (file === 'mlp2d.dn') {
        it(`${file} ${sampler.name}: unrolled steps give the while loop's numbers`, async () => {
          const loop = await compareWithReference(graph, inputs, weights, { dims: { B: 2 } });
          const flat = await compareWithReference(graph, inputs, weights, { dims: { B: 2 }, unroll: true });
          const main = flat.emitted.text.split('func.func private')[0];
          expect(main).not.toContain('stablehlo.while');
          expect(main).toContain('// step 1');
          expect(Array.from(flat.outputs[0])).toEqual(Array.from(loop.outputs[0]));
        });
      }

      it(`${file} ${sampler.name}: bf16 stays within the documented tolerance`, async () => {
        const c = await compareWithReference(graph, inputs, weights, { dims: { B: 2 }, precision: 'bf16', tile: 'tpu' });
        for (const e of c.errors) expect(e.maxErr).toBeLessThanOrEqual(5e-2 + 2e-2 * e.maxRef);
      });
    }
  }
});
