/**
 * The `native` backend: host typed arrays, exactly the storage of core's `js`
 * backend, so every kernel without a C++ version falls back to its `js`
 * reference at no cost (no copy), and the C++ kernels read and write the same
 * arrays in place.
 */
import { type Backend, type BackendLoadResult, hostStorage, registerBackendLoader } from '@rec/core';
import { registerNativeKernels } from './kernels.js';
import { loadNative, type NativeAddon, type OrderedMode } from './load.js';

/**
 * The `native` backend object (name `native`, fallback `js`).
 *
 * @example
 * ```ts
 * const r = loadNativeBackend();
 * if (r.ok) { registerBackend(r.backend); setBackend('native'); }
 * ```
 */
export const nativeBackend: Backend = {
  name: 'native',
  fallback: 'js',
  ...hostStorage(() => nativeBackend),
  threads: () => nativeThreads(),
};

/**
 * Loads the addon and, the first time it loads, registers its kernels under
 * `<id>:native`. The {@link BackendLoader} `registerNativeBackend` offers to
 * `resolveBackend`; never throws.
 *
 * @example
 * ```ts
 * const r = loadNativeBackend();
 * console.log(r.ok ? 'native ready' : r.reason);
 * ```
 */
export function loadNativeBackend(): BackendLoadResult {
  const native = loadNative();
  if (!native.ok) return native;
  registerNativeKernels(native.addon);
  return { ok: true, backend: nativeBackend };
}

/**
 * Offers the `native` backend to `resolveBackend` (priority 20: above `js`,
 * below `webgpu`).
 *
 * @example
 * ```ts
 * registerNativeBackend();
 * await resolveBackend(); // native, or "backend native skipped: …" and js
 * ```
 */
export function registerNativeBackend(): void {
  registerBackendLoader('native', 20, loadNativeBackend);
}

function addonOrThrow(): NativeAddon {
  const native = loadNative();
  if (!native.ok) throw new Error(`native backend: ${native.reason}`);
  return native.addon;
}

/**
 * Threads the native kernels use (REC_THREADS at load, default the hardware
 * threads).
 *
 * @example
 * ```ts
 * console.log(nativeThreads());
 * ```
 */
export function nativeThreads(): number {
  return addonOrThrow().threads();
}

/**
 * Sets the native kernels' thread count; 1 is the deterministic mode of the
 * Hogwild kernels (`bpr_step`). Costs a join and restart of the pool.
 *
 * @example
 * ```ts
 * setNativeThreads(1); // bpr_step now equals the js reference
 * ```
 */
export function setNativeThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNativeThreads: n must be an integer ≥ 1, got ${n}`);
  return addonOrThrow().setThreads(n);
}

/**
 * Where the native row-ordered kernels (the deterministic `bpr_step`, `skipgram_step`, …) run
 * on several threads: `auto` (the default, or REC_ORDERED=auto|pool|caller) times the pool
 * against the caller alone per kernel and keeps the faster; `pool` and `caller` force one.
 * Every mode gives the same bits: this changes speed, never a model. Returns the mode now set.
 *
 * @example
 * ```ts
 * setNativeOrderedMode('pool'); // parity tests: exercise the parallel schedule
 * ```
 */
export function setNativeOrderedMode(mode: OrderedMode): OrderedMode {
  if (mode !== 'auto' && mode !== 'pool' && mode !== 'caller') throw new Error(`setNativeOrderedMode: mode must be 'auto', 'pool' or 'caller', got ${String(mode)}`);
  return addonOrThrow().setOrderedMode(mode);
}

/**
 * The native row-ordered kernels' mode (see {@link setNativeOrderedMode}).
 *
 * @example
 * ```ts
 * console.log(nativeOrderedMode()); // 'auto'
 * ```
 */
export function nativeOrderedMode(): OrderedMode {
  return addonOrThrow().orderedMode();
}
