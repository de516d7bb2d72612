/** `denoc passes`: lists every pass with its summary and options (generated from the declarations). */
import type { Command } from 'commander';
import { ALL_PASSES } from '../../targets/index.ts';

export function registerPasses(program: Command): void {
  program
    .command('passes')
    .description('list the compiler passes, their options and defaults')
    .action(() => {
      for (const pass of Object.values(ALL_PASSES)) {
        process.stdout.write(`${pass.name}\n  ${pass.summary}\n`);
        for (const [name, opt] of Object.entries(pass.options)) {
          process.stdout.write(`    --${pass.name}.${name} (default ${JSON.stringify(opt.default)}): ${opt.help}\n`);
        }
      }
    });
}
