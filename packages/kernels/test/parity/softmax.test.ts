import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { runSoftmax, softmaxCases } from './softmax_cases.js';

/**
 * Probabilities within 10⁻⁶ relative of the f64 reference (native: exp in f32, ≤ 2 ulp, so a few ulp
 * in all; sums in f64; webgpu: the same exp in WGSL, x − max exact as a pair, Σ as a float pair, so
 * a few ulp too — 2.4·10⁻⁷ relative, 3 ulp, measured on these cases on llvmpipe, where WGSL's own
 * exp would miss 10⁻⁶ at |x − max| ≈ 16); atol 10⁻³⁰ covers the subnormal probabilities native and
 * webgpu give as 0; NaN and ±∞ exactly where the reference has them, at 1 and 2 native threads.
 */
const TOLERANCE = { atol: 1e-30, rtol: 1e-6 };

await forEachBackend(parityBackends('softmax'), (backend) => {
  for (const c of softmaxCases()) {
    it(`matches the reference within atol ${TOLERANCE.atol} + rtol ${TOLERANCE.rtol}·|ref| (${c.name})`, async () => {
      const ref = await runSoftmax('softmax', 'js', c);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runSoftmax('softmax', backend, c));
        assertClose(got, ref, TOLERANCE, `softmax, ${c.name} (${threads} thread(s))`);
        const nonFinite = (v: number) => (Number.isFinite(v) ? 0 : v);
        expect(Array.from(got, nonFinite), c.name).toEqual(Array.from(ref, nonFinite));
      }
    });
  }
});
