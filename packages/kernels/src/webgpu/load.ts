/**
 * Loading the `webgpu` backend: dawn-node (npm `webgpu`) in Node,
 * `navigator.gpu` in a browser. Nothing here runs at import; every failure
 * becomes `{ ok: false, reason }`.
 */
import { registerBackendLoader, type BackendLoadResult } from '@rec/core';
import { WebGPUBackend } from './backend.js';
import { registerWebGPUKernels } from './kernels/index.js';
import { loadShaderSources } from './shaders.js';

/** What {@link loadWebGPU} gives: the backend, or why there is none here. */
export type WebGPULoadResult = { ok: true; backend: WebGPUBackend } | { ok: false; reason: string };

let loading: Promise<WebGPULoadResult> | undefined;
// dawn-node keeps the process alive while the object `create()` returned is reachable.
let gpuRoot: GPU | undefined;

const NO_ADAPTER_HINT =
  'on Linux without a GPU, install a Vulkan driver such as lavapipe (Debian: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1)';

async function acquireGPU(): Promise<{ ok: true; gpu: GPU } | { ok: false; reason: string }> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { ok: true, gpu: nav.gpu };
  if (typeof process === 'undefined' || !process.versions?.node) return { ok: false, reason: 'this JavaScript runtime has no navigator.gpu' };
  try {
    const dawn = await import('webgpu');
    return { ok: true, gpu: dawn.create([]) };
  } catch (err) {
    // `webgpu` is an optional peer dependency of @rec/kernels (about 130 MB of dawn-node binaries).
    const code = (err as { code?: string }).code;
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && String((err as Error).message).includes("'webgpu'")) {
      return { ok: false, reason: "webgpu not installed (it is an optional peer dependency of @rec/kernels: npm install webgpu)" };
    }
    return { ok: false, reason: `dawn-node (npm 'webgpu') did not load: ${(err as Error).message}` };
  }
}

async function load(): Promise<WebGPULoadResult> {
  try {
    const acquired = await acquireGPU();
    if (!acquired.ok) return acquired;
    gpuRoot = acquired.gpu;
    const adapter = await acquired.gpu.requestAdapter();
    if (!adapter) {
      gpuRoot = undefined;
      return { ok: false, reason: `no WebGPU adapter found; ${NO_ADAPTER_HINT}` };
    }
    const info = adapter.info;
    const adapterName = [info?.description || info?.device, info?.vendor && `(${info.vendor}${info.architecture ? `, ${info.architecture}` : ''})`]
      .filter(Boolean)
      .join(' ') || 'unnamed adapter';
    // Ask for the adapter's own buffer limits: the defaults (128 MiB bindings) are smaller than a 1M × 64 f32 table.
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(adapter.limits.maxStorageBuffersPerShaderStage, 10),
      },
    });
    return { ok: true, backend: new WebGPUBackend(device, adapterName, await loadShaderSources()) };
  } catch (err) {
    gpuRoot = undefined;
    return { ok: false, reason: `WebGPU device request failed: ${(err as Error).message}` };
  }
}

/**
 * Requests a WebGPU adapter and device (once per process; later calls share
 * the result) and builds the `webgpu` backend on it. Never throws: no adapter,
 * no dawn-node binary, or a failed device request gives `{ ok: false, reason }`.
 *
 * @example
 * ```ts
 * const gpu = await loadWebGPU();
 * if (gpu.ok) console.log(gpu.backend.adapterName); // e.g. 'llvmpipe (LLVM 15.0.6, 256 bits) (mesa)'
 * else console.log(`no webgpu: ${gpu.reason}`);
 * ```
 */
export function loadWebGPU(): Promise<WebGPULoadResult> {
  loading ??= load();
  return loading;
}

/**
 * Destroys the device {@link loadWebGPU} made and drops dawn-node's root
 * object, so that a Node process can exit. Tensors on the backend become
 * unusable; the next {@link loadWebGPU} makes a new device. Tests call it in
 * `afterAll`.
 *
 * @example
 * ```ts
 * afterAll(destroyWebGPU);
 * ```
 */
export async function destroyWebGPU(): Promise<void> {
  const pending = loading;
  loading = undefined;
  if (pending) {
    const r = await pending;
    if (r.ok) r.backend.destroy();
  }
  gpuRoot = undefined;
}

/** Explicit-only until kernel coverage is complete (see {@link registerWebGPUBackend}). */
export const WEBGPU_PRIORITY = -30;

/**
 * Registers the `webgpu` kernels under `<id>:webgpu` and offers the backend to
 * `resolveBackend()` as explicit-only (negative priority): it runs only when
 * asked for (`REC_BACKEND=webgpu`), because it implements a few kernels so far
 * and its GPU storage has no host fallback for the rest. It moves to priority
 * 30 (above `native`) once every kernel a model needs has a WGSL version.
 * Idempotent.
 *
 * @example
 * ```ts
 * registerWebGPUBackend();
 * const backend = await resolveBackend({ prefer: 'webgpu' }); // where an adapter loads
 * ```
 */
export function registerWebGPUBackend(): void {
  registerWebGPUKernels();
  registerBackendLoader('webgpu', WEBGPU_PRIORITY, (): Promise<BackendLoadResult> => loadWebGPU());
}

