/** `denoc check FILE`: parse, resolve and type-check a .dn file, printing every diagnostic. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DenocError, fail, formatDiagnostic } from '../../compiler/core/diagnostics.ts';
import { checkFile } from '../../dsl/index.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and check a .dn file; prints diagnostics as file:line:col and exits 1 on errors')
    .argument('<file>', 'a .dn source file')
    .action((file: string) => {
      if (!existsSync(file)) fail('CLI0001', `cannot read '${file}': no such file`);
      const diagnostics = checkFile(file);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (errors.length) throw new DenocError(diagnostics);
      for (const d of diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
      process.stdout.write(`${file}: ok\n`);
    });
}
