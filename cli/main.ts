/**
 * The `denoc` command line: check, inspect, run, compile, passes, train, distill. Every failure becomes a readable
 * message and an exit code (1 for bad input, 2 for bad usage); stack traces only with DENOC_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { DenocError, formatDiagnostic } from '../compiler/core/diagnostics.ts';
import { registerCheck } from './commands/check.ts';
import { registerInspect } from './commands/inspect.ts';
import { registerRun } from './commands/run.ts';
import { registerCompile } from './commands/compile.ts';
import { registerPasses } from './commands/passes.ts';
import { registerTrain } from './commands/train.ts';
import { registerEval } from './commands/eval.ts';
import { registerDistill } from './commands/distill.ts';

export function buildProgram(): Command {
  const program = new Command('denoc')
    .description('denoc: compile diffusion models and their samplers to fast code (WebGPU, StableHLO, ONNX), and train them')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCheck(program);
  registerInspect(program);
  registerRun(program);
  registerCompile(program);
  registerPasses(program);
  registerTrain(program);
  registerEval(program);
  registerDistill(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return reportFailure(e);
  }
}

function reportFailure(e: unknown): number {
  if (e instanceof CommanderError) {
    // help and version are "errors" in commander's exit override, but successful runs for the user
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  if (e instanceof DenocError) {
    for (const d of e.diagnostics) process.stderr.write(formatDiagnostic(d) + '\n');
    const n = e.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`${n} error${n === 1 ? '' : 's'}\n`);
    return 1;
  }
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`denoc: error: ${message}\n`);
  if (process.env.DENOC_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
  return 1;
}
