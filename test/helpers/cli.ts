// The `denoc` CLI called in process: `main(argv)` from cli/main.ts with stdout and stderr captured, so
// option and error tests see what a user sees without the seconds a child process costs to start.
import { main } from '../../cli/main.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

type Write = typeof process.stdout.write;

/** Replaces `stream.write` with one that appends to `sink`; returns the function that puts it back. */
function capture(stream: NodeJS.WriteStream, sink: string[]): () => void {
  const original = stream.write;
  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    sink.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
  stream.write = write as Write;
  return () => {
    stream.write = original;
  };
}

/** Runs `denoc ...args` in this process; resolves with the exit code `denoc` would return and its output. */
export async function denocInProcess(...args: string[]): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const restoreOut = capture(process.stdout, out);
  const restoreErr = capture(process.stderr, err);
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    restoreOut();
    restoreErr();
  }
}
