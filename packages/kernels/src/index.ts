/**
 * `@rec/kernels`: the `native` (C++ through node-addon-api) and `webgpu`
 * (WGSL through WebGPU) backends. Each registers kernel implementations into
 * `@rec/core`'s registry under `<id>:native` / `<id>:webgpu` and a loader with
 * `registerBackendLoader`, so `resolveBackend()` picks the fastest one that
 * loads and prints one line for each it skips.
 */
import { registerNativeBackend } from './native/backend.js';
import { registerWebGPUBackend } from './webgpu/index.js';

/**
 * Offers every fast backend of this package to `resolveBackend` (native at
 * priority 20, webgpu at 30). Nothing loads until `resolveBackend` asks.
 *
 * @example
 * ```ts
 * import { resolveBackend } from '@rec/core';
 * import { registerFastBackends } from '@rec/kernels';
 * registerFastBackends();
 * const backend = await resolveBackend(); // webgpu, native or js, with one line per skipped backend
 * ```
 */
export function registerFastBackends(): void {
  registerNativeBackend();
  // WebGPU backend: its registration call goes on the next line (owned by the WebGPU work).
  registerWebGPUBackend();
}

export { loadNative, NATIVE_ADDON_PATH, type NativeAddon, type NativeLoadResult, type OrderedMode } from './native/load.js';
export { loadNativeBackend, nativeBackend, nativeOrderedMode, nativeThreads, registerNativeBackend, setNativeOrderedMode, setNativeThreads } from './native/backend.js';
export { registerNativeKernels } from './native/kernels.js';
export { FAST_KERNELS, KERNEL_EXCEPTIONS, NATIVE_ENTRY_POINTS, NATIVE_KERNEL_IDS, PENDING_KERNELS, type FastKernel } from './coverage.js';
