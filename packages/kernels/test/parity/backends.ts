/**
 * The backends the parity tests of this package run on, besides the `js`
 * reference: each fast backend's loader and the CI flag that makes its absence
 * a failure. A new backend adds one entry here; the tests do not change.
 */
import type { ParityBackend } from '@rec/core/testing';
import { loadNativeBackend, setNativeThreads } from '../../src/index.js';

/** Candidates for `forEachBackend`. */
export function parityBackends(): ParityBackend[] {
  return [
    { name: 'native', load: loadNativeBackend, requiredBy: 'REC_REQUIRE_NATIVE' },
    // WebGPU backend: its entry goes here ({ name: 'webgpu', load, requiredBy: 'REC_REQUIRE_WEBGPU', release }).
  ];
}

/**
 * Runs `fn` with the native pool at `threads` threads when `backendName` is
 * `native` (restoring the previous count after); on other backends just runs it.
 */
export function withNativeThreads<T>(backendName: string, threads: number, fn: () => T): T {
  if (backendName !== 'native') return fn();
  const before = setNativeThreads(threads);
  try {
    return fn();
  } finally {
    setNativeThreads(before);
  }
}
