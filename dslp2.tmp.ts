import { compileSource } from './dsl/index.ts';
import { printGraph } from './compiler/ir/printer.ts';
import { readFileSync } from 'node:fs';
const src = readFileSync('examples/unet_small.dn', 'utf8').replace('ch: int = 64, temb: int = 128', 'ch: int = 16, temb: int = 32').replace('steps: 20)', 'steps: 3)\nsampler anc = ddim(UNetSmall, steps: 2, eta: 1.0)');
const p = compileSource(src, 'examples/unet_small.dn'); console.log(p.models.map(m=>m.name+':'+m.parameters.length), p.samplers.map(s=>s.name+' '+s.modelName+' '+s.steps));
const t = printGraph(p.samplers[1].graph, {elideConstantsOver: 4}); console.log(t.split('\n').slice(0,4).join('\n')); console.log(t.split('\n').filter(l=>l.includes('randn')).join('\n'));
