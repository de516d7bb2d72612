/**
 * Acquires a WebGPU device for denoc. In a browser it uses `navigator.gpu`; in Node it loads Dawn
 * from the `webgpu` npm package, preferring a real GPU and otherwise the software Vulkan drivers Dawn
 * finds (Mesa lavapipe, or SwiftShader from Debian's chromium). It requests the limits and features
 * the WebGPU target uses, and turns WebGPU errors (error scopes, uncaptured errors, device loss)
 * into DenocErrors that say what failed and where.
 */
import { DenocError, type DiagnosticCode } from '../../compiler/core/diagnostics.ts';

/** Install advice printed when no adapter can be found. */
export const INSTALL_HINT =
  'install a WebGPU implementation: in Node the `webgpu` npm package (Dawn) plus a Vulkan driver — ' +
  'on a GPU-less Debian/Ubuntu machine Mesa lavapipe (`apt-get install -t bookworm-backports mesa-vulkan-drivers`), ' +
  "or Debian's `chromium` for SwiftShader (then set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json); " +
  'in a browser, one with WebGPU enabled';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** The limits the target plans against; each is requested up to the adapter's maximum. */
const WANTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxUniformBufferBindingSize',
  'maxBindGroups',
  'maxDynamicUniformBuffersPerPipelineLayout',
] as const;

export type LimitName = (typeof WANTED_LIMITS)[number];
export type DeviceLimits = Readonly<Record<LimitName, number>> & { readonly minUniformBufferOffsetAlignment: number };

export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A CPU implementation (lavapipe, SwiftShader) rather than a GPU. */
  readonly software: boolean;
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterDescription;
  readonly features: ReadonlySet<string>;
  readonly limits: DeviceLimits;
  /** Where the implementation came from. */
  readonly source: 'navigator' | 'dawn-node';
  /** Destroys the device and drops Dawn's instance so the process can exit. */
  release(): void;
}

export interface AcquireOptions {
  readonly powerPreference?: GPUPowerPreference;
  /** Extra Dawn options for `create()` in Node, e.g. `backend=vulkan`. */
  readonly dawnOptions?: readonly string[];
}

/** Loads Dawn's GPU object in Node; undefined when the package is missing. */
async function dawnGpu(options: readonly string[]): Promise<GPU | undefined> {
  try {
    const mod = await import('webgpu');
    Object.assign(globalThis, mod.globals);
    return mod.create([...options]);
  } catch {
    return undefined;
  }
}

interface AdapterFound {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly source: GpuContext['source'];
}

async function findAdapter(opts: AcquireOptions, notes: string[]): Promise<AdapterFound | undefined> {
  const navGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  const request = async (gpu: GPU): Promise<GPUAdapter | null> => {
    try {
      return await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
    } catch (e) {
      notes.push((e as Error).message.split('\n').join(' '));
      return null;
    }
  };
  if (navGpu && typeof process === 'undefined') {
    const adapter = await request(navGpu);
    return adapter ? { gpu: navGpu, adapter, source: 'navigator' } : undefined;
  }
  const gpu = await dawnGpu(opts.dawnOptions ?? []);
  if (gpu) {
    const adapter = await request(gpu);
    if (adapter) return { gpu, adapter, source: 'dawn-node' };
  }
  // Dawn reads VK_ICD_FILENAMES when an instance is created, so SwiftShader can be tried late.
  const { existsSync } = await import('node:fs');
  if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const retry = await dawnGpu(opts.dawnOptions ?? []);
    const adapter = retry ? await request(retry) : null;
    if (retry && adapter) return { gpu: retry, adapter, source: 'dawn-node' };
  }
  return undefined;
}

function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: fallback || /llvmpipe|lavapipe|swiftshader|software/.test(text),
  };
}

/** Acquires a fresh device; throws DenocError WG0001 (no adapter) or WG0002 (device refused). */
export async function acquireDevice(opts: AcquireOptions = {}): Promise<GpuContext> {
  const notes: string[] = [];
  const found = await findAdapter(opts, notes);
  if (!found) {
    const detail = notes.length ? ` (${notes.join('; ')})` : '';
    throw new DenocError({ code: 'WG0001', severity: 'error', message: `no WebGPU adapter found${detail}`, hint: INSTALL_HINT });
  }
  const { adapter, source } = found;
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('shader-f16') ? ['shader-f16'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'denoc' });
  } catch (e) {
    throw new DenocError({ code: 'WG0002', severity: 'error', message: `the WebGPU adapter refused a device: ${(e as Error).message}` });
  }
  watchDevice(device);
  const limits = { minUniformBufferOffsetAlignment: device.limits.minUniformBufferOffsetAlignment } as Record<string, number>;
  for (const name of WANTED_LIMITS) limits[name] = device.limits[name];
  // Dawn keeps the process alive while its GPU object is reachable: hold it here, drop it on release.
  const holder: { gpu?: GPU } = { gpu: found.gpu };
  return {
    device,
    adapter: describeAdapter(adapter),
    features: new Set(device.features),
    source,
    limits: limits as DeviceLimits,
    release() {
      device.destroy();
      holder.gpu = undefined;
    },
  };
}

const lastUncaptured = new WeakMap<GPUDevice, string>();
const lostReason = new WeakMap<GPUDevice, string>();

/** Remembers uncaptured errors and loss so the next checked call can report them. */
function watchDevice(device: GPUDevice): void {
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    lastUncaptured.set(device, ev.error.message);
  };
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') lostReason.set(device, `${info.reason}: ${info.message}`);
  });
}

let shared: Promise<GpuContext> | undefined;

/** One device per process, shared by executors and tests (creating devices is slow on lavapipe). */
export function sharedDevice(opts: AcquireOptions = {}): Promise<GpuContext> {
  shared ??= acquireDevice(opts).catch((e: unknown) => {
    shared = undefined;
    throw e;
  });
  return shared;
}

/** Releases the shared device, if any, so Node can exit. */
export async function releaseSharedDevice(): Promise<void> {
  const s = shared;
  shared = undefined;
  if (s) (await s.catch(() => undefined))?.release();
}

/** Result of probing for WebGPU without throwing. */
export type Probe = { readonly ok: true; readonly gpu: GpuContext } | { readonly ok: false; readonly reason: string };

export async function probeWebGPU(): Promise<Probe> {
  try {
    return { ok: true, gpu: await sharedDevice() };
  } catch (e) {
    const d = e instanceof DenocError ? e.diagnostics[0] : undefined;
    return { ok: false, reason: d ? `${d.message}; ${d.hint ?? ''}` : String(e) };
  }
}

const SCOPES: readonly GPUErrorFilter[] = ['validation', 'out-of-memory', 'internal'];

/**
 * Runs `fn` inside validation, out-of-memory and internal error scopes and throws a DenocError
 * (WG0003 validation, WG0005 out of memory, WG0006 internal) naming `label` if any fired.
 */
export async function checked<T>(device: GPUDevice, label: string, fn: () => T): Promise<T> {
  for (const f of SCOPES) device.pushErrorScope(f);
  let result: T;
  let thrown: unknown;
  try {
    result = fn();
  } catch (e) {
    thrown = e;
  }
  const errors = await Promise.all(SCOPES.map(() => device.popErrorScope()));
  const lost = lostReason.get(device);
  if (lost) throw new DenocError({ code: 'WG0004', severity: 'error', message: `WebGPU device lost (${lost}) while ${label}` });
  const [validation, oom, internal] = [...errors].reverse();
  if (validation) throw gpuError('WG0003', 'validation error', label, validation.message);
  if (oom) throw gpuError('WG0005', 'out of GPU memory', label, oom.message);
  if (internal) throw gpuError('WG0006', 'internal GPU error', label, internal.message);
  if (thrown !== undefined) throw thrown;
  return result!;
}

/** Throws the last uncaptured error or device loss, if any (called after submits). */
export function throwIfFailed(device: GPUDevice, label: string): void {
  const lost = lostReason.get(device);
  if (lost) throw new DenocError({ code: 'WG0004', severity: 'error', message: `WebGPU device lost (${lost}) while ${label}` });
  const msg = lastUncaptured.get(device);
  if (msg) {
    lastUncaptured.delete(device);
    throw gpuError('WG0003', 'uncaptured error', label, msg);
  }
}

function gpuError(code: DiagnosticCode, what: string, label: string, message: string): DenocError {
  // Dawn appends a blank-line-separated call trace; keep the first paragraph and the "While" lines.
  const lines = message
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
  return new DenocError({ code, severity: 'error', message: `WebGPU ${what} while ${label}: ${lines.join(' | ')}` });
}
