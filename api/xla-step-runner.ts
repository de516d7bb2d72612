/**
 * XLA as an engine of the trainer: a `StepRunner` whose steps run in one long-lived JAX process
 * (scripts/xla-train.py --serve), data parallel over `devices` devices. The step is emitted once
 * (api/train-xla.ts), XLA compiles it once, and each update sends the state and the batch and reads back
 * the new state and the loss, so `trainDenoiser`'s checkpoints, resume and evaluation work unchanged.
 * The process ends when its stdin closes (`close()`, or this process exiting).
 *
 * Framing, both ways: a little-endian u64 header length, a JSON header, then the raw arrays it lists.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelArtifact } from '../compiler/core/artifact.ts';
import { fail } from '../compiler/core/diagnostics.ts';
import { writeFileAtomic } from '../compiler/core/output-file.ts';
import type { StepInputs, StepRunner } from '../runtime/train/compiled-step.ts';
import type { CompiledTrainingOptions } from './train.ts';
import { findJaxPython } from './jax-python.ts';
import { emitXlaStep, type XlaRun } from './train-xla.ts';

export interface XlaDriver {
  /** A Python that can `import jax`. */
  readonly python: string;
  /** Path of scripts/xla-train.py. */
  readonly script: string;
  /** cpu, gpu, tpu (default: JAX's default backend). On cpu the devices are simulated host devices. */
  readonly platform?: string;
}

export interface XlaStepRunner extends StepRunner {
  /** Ends the JAX process. */
  close(): void;
}

/** Reads length-prefixed frames from a stream, one request at a time. */
class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting?: () => void;

  constructor(stream: NodeJS.ReadableStream) {
    stream.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.size += c.length;
      this.waiting?.();
    });
  }

  private async take(n: number, closed: () => string | undefined): Promise<Buffer> {
    while (this.size < n) {
      const why = closed();
      if (why) fail('TRN0607', why);
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(n)];
    this.size -= n;
    return all.subarray(0, n);
  }

  async frame(closed: () => string | undefined): Promise<{ header: Record<string, unknown>; body: Buffer }> {
    const length = Number((await this.take(8, closed)).readBigUInt64LE(0));
    const header = JSON.parse((await this.take(length, closed)).toString('utf8')) as Record<string, unknown>;
    const total = ((header.outputs as [number[], number][] | undefined) ?? []).reduce((a, [, n]) => a + n, 0);
    return { header, body: await this.take(total, closed) };
  }
}

function frame(header: unknown, blobs: readonly ArrayBufferView[]): Buffer {
  const text = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, ...blobs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))]);
}

function start(dir: string, devices: number, driver: XlaDriver): { child: ChildProcessWithoutNullStreams; exited: () => string | undefined } {
  const flags =
    driver.platform === 'cpu' ? `${process.env.XLA_FLAGS ?? ''} --xla_force_host_platform_device_count=${devices}`.trim() : process.env.XLA_FLAGS;
  const args = [driver.script, dir, '--serve', ...(driver.platform ? ['--platform', driver.platform] : [])];
  const child = spawn(driver.python, args, { env: { ...process.env, ...(flags ? { XLA_FLAGS: flags } : {}) } });
  let stderr = '';
  let exit: string | undefined;
  child.stderr.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString('utf8')).slice(-4000);
  });
  child.on('exit', (code) => {
    exit = `the XLA step process (${driver.python} ${driver.script}) ended with code ${code}:\n${stderr.trim()}`;
    child.stdout.emit('data', Buffer.alloc(0));
  });
  // a write to a driver that has died: its exit, with its error output, is what the step reports
  child.stdin.on('error', () => undefined);
  child.on('error', (e) => {
    exit = `cannot start ${driver.python}: ${e.message}`;
    child.stdout.emit('data', Buffer.alloc(0));
  });
  return { child, exited: () => exit };
}

/** The Python with JAX found on this machine and this checkout's scripts/xla-train.py. */
export function defaultXlaDriver(platform = 'cpu'): XlaDriver {
  const python =
    findJaxPython() ??
    fail('TRN0607', 'no Python with JAX found for the XLA engine', undefined, 'set DENOC_JAX_PYTHON, or make .venv-jax with `pip install jax`');
  return { python, script: fileURLToPath(new URL('../scripts/xla-train.py', import.meta.url)), platform };
}

type Refable = { ref(): void; unref(): void };

/** Keeps this process alive for the child only while a step is in flight, so an unclosed runner never blocks exit. */
function hold(child: ChildProcessWithoutNullStreams, on: boolean): void {
  for (const handle of [child, child.stdin, child.stdout, child.stderr] as unknown as Refable[]) {
    if (on) handle.ref();
    else handle.unref();
  }
}

/** The step of `model` on XLA through JAX, data parallel over `devices` devices. */
export function xlaStepRunner(model: ModelArtifact, o: CompiledTrainingOptions & { readonly devices: number }, driver: XlaDriver): XlaStepRunner {
  const step = emitXlaStep({ ...o, model });
  const dir = mkdtempSync(join(tmpdir(), 'denoc-xla-step-'));
  const run: XlaRun = {
    format: 'denoc-xla-train/1',
    model: model.name,
    steps: 0,
    devices: o.devices,
    batch: o.batch,
    batchInputs: step.batchInputs,
    state: step.state,
    manifest: step.manifest,
  };
  writeFileAtomic(join(dir, 'step.mlir'), step.text);
  writeFileAtomic(join(dir, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  let proc: ReturnType<typeof start> | undefined;
  let reader: FrameReader | undefined;
  return {
    engine: `graph/xla-${driver.platform ?? 'default'}x${o.devices}`,
    paths: step.paths,
    withEma: Boolean(o.emaDecay),
    async run(inputs: StepInputs) {
      proc ??= start(dir, o.devices, driver);
      reader ??= new FrameReader(proc.child.stdout);
      const names = step.manifest.inputs.map((t) => t.name);
      const arrays = names.map((n) => inputs[n] ?? fail('TRN0607', `the XLA step needs input '${n}', which the trainer did not give`));
      const header = { inputs: names.map((n, i) => [n, arrays[i] instanceof Int32Array ? 'i32' : 'f32', arrays[i].byteLength]) };
      hold(proc.child, true);
      proc.child.stdin.write(frame(header, arrays));
      const { header: answer, body } = await reader.frame(proc.exited).finally(() => hold(proc!.child, false));
      if (typeof answer.error === 'string') fail('TRN0607', `the XLA step failed: ${answer.error}`);
      let offset = 0;
      return (answer.outputs as [number[], number][]).map(([, n]) => {
        const out = new Float32Array(body.buffer.slice(body.byteOffset + offset, body.byteOffset + offset + n));
        offset += n;
        return out;
      });
    },
    close() {
      proc?.child.stdin.end();
    },
  };
}
