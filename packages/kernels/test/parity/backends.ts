/**
 * The backends the parity tests of this package run on, besides the `js`
 * reference: each fast backend's loader and the CI flag that makes its absence
 * a failure. A new backend adds one entry here; the tests do not change.
 *
 * A suite names the kernel(s) it tests: a backend other than `native` that has
 * no implementation of one of them (`kernelBackends(id)` from `@rec/core`;
 * `native` registers its kernels only once loaded) is not loaded for
 * that suite, and its block is a single test skipped with the reason — never
 * a failure, even under its `REC_REQUIRE_*` flag, because a kernel that a
 * backend lacks is remaining work listed in `src/coverage.ts`, not a broken
 * install.
 */
import { kernelBackends } from '@rec/core';
import type { ParityBackend } from '@rec/core/testing';
import { loadNativeBackend, nativeOrderedMode, nativeThreads, setNativeOrderedMode, setNativeThreads } from '../../src/index.js';
import { destroyWebGPU, loadWebGPU, registerWebGPUKernels } from '../../src/webgpu/index.js';

registerWebGPUKernels();

/**
 * Candidates for `forEachBackend` for a suite of `kernels`: each candidate
 * whose backend implements all of them, and in place of the others a
 * candidate that skips with the reason.
 *
 * @param kernels the kernel id(s) the suite runs. `native` always runs; with
 *   none named `webgpu` is skipped — naming them is what puts a suite on it.
 *
 * @example
 * ```ts
 * await forEachBackend(parityBackends('rank_topk'), (backend) => { … });
 * ```
 */
export function parityBackends(...kernels: string[]): ParityBackend[] {
  const candidates: ParityBackend[] = [
    { name: 'native', load: loadNativeBackend, requiredBy: 'REC_REQUIRE_NATIVE' },
    { name: 'webgpu', load: loadWebGPU, requiredBy: 'REC_REQUIRE_WEBGPU', release: destroyWebGPU },
  ];
  return candidates.map((c) => {
    // Native registers its kernels only when its addon loads, so the registry cannot be asked
    // before `load`; it has every kernel that has a parity suite so far (its own, and the
    // coverage check requires a suite per kernel).
    if (c.name === 'native') return c;
    const missing = kernels.length === 0 ? ['the kernels of this suite (it names none)'] : kernels.filter((id) => !kernelBackends(id).includes(c.name));
    if (missing.length === 0) return c;
    const reason = `no ${c.name} implementation of ${missing.join(', ')} yet (see src/coverage.ts)`;
    return { name: c.name, load: async () => ({ ok: false as const, reason }) };
  });
}

/**
 * Runs `fn` with the native pool at `threads` threads when `backendName` is
 * `native` (restoring the previous count after); on other backends just runs it.
 * The row-ordered kernels are held on the pool meanwhile (`setNativeOrderedMode('pool')`:
 * their `auto` mode may run a batch on the caller alone where that is faster, which would
 * leave the parallel schedule these tests compare untested), then set back.
 * When `fn` returns a promise (a body that reads with `await t.read()`), both are
 * restored once it settles, so the whole body runs under them.
 */
export function withNativeThreads<T>(backendName: string, threads: number, fn: () => T): T {
  if (backendName !== 'native') return fn();
  const before = nativeThreads();
  const mode = nativeOrderedMode();
  setNativeThreads(threads);
  setNativeOrderedMode('pool');
  const restore = () => {
    setNativeThreads(before);
    setNativeOrderedMode(mode);
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    restore();
    throw err;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
