/**
 * `@rec/kernels/webgpu`: the `webgpu` backend for a web page or a worker. It takes the
 * device from `navigator.gpu` and the WGSL from the embedded `shaders.generated.ts`, so a
 * bundle of it holds neither the native addon (the package root loads it) nor dawn-node
 * (`load.ts` imports it where there is no `navigator.gpu`). The kernels are the same
 * `<id>:webgpu` registrations as the package root's.
 *
 * A page needs a secure context (`https:` or `http://localhost`) for `navigator.gpu`;
 * Chromium on Linux also needs `--enable-unsafe-webgpu` (headless it then gives
 * SwiftShader's adapter), Firefox `dom.webgpu.enabled`.
 */
import { registerBackendLoader, type BackendLoadResult } from '@rec/core';
import { WebGPUBackend } from './backend.js';
import { registerWebGPUKernels } from './kernels/index.js';
import type { WebGPULoadResult } from './load.js';
import { WGSL_SOURCES } from './shaders.generated.js';

export { WebGPUBackend, type GpuHandle } from './backend.js';
export { registerWebGPUKernels, WEBGPU_KERNELS } from './kernels/index.js';
export type { WebGPULoadResult } from './load.js';

/**
 * The priority the backend is offered to `resolveBackend` at: negative, so it runs only
 * when asked for by name (`resolveBackend({ prefer: 'webgpu' })`), like the package
 * root's `registerWebGPUBackend` (`WEBGPU_PRIORITY` of `load.ts`, not imported here: that
 * module imports dawn-node).
 */
export const BROWSER_WEBGPU_PRIORITY = -30;

let loading: Promise<WebGPULoadResult> | undefined;

/** The adapter as a person reads it: `swiftshader (google)`, `NVIDIA GeForce … (nvidia, ampere)`. */
function adapterNameOf(adapter: GPUAdapter): string {
  const info = adapter.info;
  const name = info?.description || info?.device || info?.architecture;
  const vendor = info?.vendor && `(${info.vendor}${info.architecture && info.architecture !== name ? `, ${info.architecture}` : ''})`;
  return [name, vendor].filter(Boolean).join(' ') || 'unnamed adapter';
}

async function load(gpu: GPU | undefined): Promise<WebGPULoadResult> {
  if (!gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return {
      ok: false,
      reason: secure === false
        ? 'navigator.gpu is missing because this page is not a secure context (serve it over https: or from http://localhost, not file:)'
        : 'this browser has no navigator.gpu (WebGPU is off or unsupported here; Chromium on Linux needs --enable-unsafe-webgpu)',
    };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { ok: false, reason: 'navigator.gpu gave no adapter (no usable GPU, WebGPU blocked for it, or Chromium on Linux without --enable-unsafe-webgpu)' };
    // The adapter's own buffer limits: the defaults (128 MiB bindings) are smaller than a 1M × 64 f32 table.
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: Math.min(adapter.limits.maxStorageBuffersPerShaderStage, 10),
      },
    });
    return { ok: true, backend: new WebGPUBackend(device, adapterNameOf(adapter), WGSL_SOURCES) };
  } catch (err) {
    return { ok: false, reason: `WebGPU device request failed: ${(err as Error).message}` };
  }
}

/**
 * Requests an adapter and a device from `navigator.gpu` (once per page or worker; later
 * calls share the result) and builds the `webgpu` backend on them with the embedded WGSL.
 * Never throws: no `navigator.gpu` (an insecure page, a browser without WebGPU), no
 * adapter, or a failed device request gives `{ ok: false, reason }`.
 *
 * @param gpu - the WebGPU entry point (default `navigator.gpu`); only the first call's is used.
 * @example
 * ```ts
 * const gpu = await loadBrowserWebGPU();
 * console.log(gpu.ok ? gpu.backend.adapterName : gpu.reason); // 'swiftshader (google)' in headless Chromium
 * ```
 */
export function loadBrowserWebGPU(gpu?: GPU): Promise<WebGPULoadResult> {
  loading ??= load(gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu);
  return loading;
}

/**
 * Registers the `webgpu` kernels and offers the browser's backend to `resolveBackend`
 * under the name `webgpu`, explicit-only (see {@link BROWSER_WEBGPU_PRIORITY}). Nothing
 * loads until `resolveBackend({ prefer: 'webgpu' })` asks. Idempotent.
 *
 * @example
 * ```ts
 * import { resolveBackend } from '@rec/core';
 * import { registerBrowserWebGPUBackend } from '@rec/kernels/webgpu';
 * registerBrowserWebGPUBackend();
 * const backend = await resolveBackend({ prefer: 'webgpu' }).catch(() => resolveBackend({ prefer: 'js' }));
 * ```
 */
export function registerBrowserWebGPUBackend(): void {
  registerWebGPUKernels();
  registerBackendLoader('webgpu', BROWSER_WEBGPU_PRIORITY, (): Promise<BackendLoadResult> => loadBrowserWebGPU());
}
