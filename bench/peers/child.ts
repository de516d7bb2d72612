/**
 * Runs a CPU peer of the WebGPU benchmark in its own process (one tfjs backend / one native
 * runtime per process, and no GPU buffers inherited) and reads back its `PEER {...}` line.
 * A peer that fails (e.g. onnxruntime-node missing) is reported and skipped, not fatal.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DdimCoefficient {
  readonly t: number;
  readonly a: number;
  readonly b: number;
}
export interface PeerResult {
  /** Mean ms per sampling step (denoiser + DDIM update) of one timed run after a warm-up run. */
  readonly stepMs: number;
  /** Max |Δ| of the peer's forward pass against denoc's on the same weights and input. */
  readonly maxForwardDiff: number;
  /** Intra-op threads the peer computes with. */
  readonly threads: number;
}
export type PeerKind = 'wasm' | 'ort';

const ORT_SCRIPT = fileURLToPath(new URL('./ort-peer.ts', import.meta.url));

/**
 * `wasm` re-runs the benchmark script (`benchScript`, which holds the tfjs network code) with
 * `--peer wasm --case model:batch`; `ort` runs ort-peer.ts. Returns undefined if the peer failed.
 */
export function runPeerInChild(
  kind: PeerKind,
  model: string,
  batch: number,
  coefficients: readonly DdimCoefficient[],
  benchScript: string,
): PeerResult | undefined {
  const args =
    kind === 'wasm'
      ? [benchScript, '--peer', 'wasm', '--case', `${model}:${batch}`]
      : [ORT_SCRIPT, model, String(batch), JSON.stringify(coefficients)];
  const child = spawnSync(process.execPath, [...process.execArgv, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const line = child.stdout.split('\n').find((l) => l.startsWith('PEER '));
  if (child.status !== 0 || !line) {
    console.error(`peer ${kind} ${model} B=${batch} failed (exit ${child.status}); skipped\n${child.stderr.slice(-2000)}`);
    return undefined;
  }
  return JSON.parse(line.slice(5)) as PeerResult;
}
