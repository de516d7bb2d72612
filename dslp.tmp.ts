import { compileSource } from './dsl/index.ts';
import { readFileSync } from 'node:fs';
const src = readFileSync('examples/unet_small.dn', 'utf8').replace('sampler ddim = ddim(UNetSmall, steps: 20)', 'sampler ddim = ddim(UNetSmall(ch: 16, temb: 32), steps: 3)\nsampler dpm = ddim(UNetSmall(ch: 16, temb: 32), steps: 3, eta: 1.0)');
try { const p = compileSource(src, 'examples/unet_small.dn'); console.log(p.models.map(m=>m.name+':'+m.parameters.length), p.samplers.map(s=>s.name+' '+s.modelName+' '+s.steps)); } catch (e) { console.log((e as Error).message); }
