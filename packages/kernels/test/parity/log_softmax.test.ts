import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { runSoftmax, softmaxCases } from './softmax_cases.js';

/**
 * Log-probabilities within 10⁻⁶ + 10⁻⁶·|ref| of the f64 reference (native: the log of an f64 sum of
 * f32 exps; webgpu: log Σ from a float-pair Σ by one Newton step through an accurate exp, so its
 * error is absolute, ≈ 2 ulp of 1: the largest error measured on these cases on llvmpipe is 12% of
 * this tolerance, 1.2·10⁻⁷ absolute, which is 7·10⁻⁶ relative only where |ref| ≈ 0.016 — hence
 * the atol); NaN and ±∞ exactly where the reference has them, at 1 and 2 native threads.
 */
const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };

await forEachBackend(parityBackends('log_softmax'), (backend) => {
  for (const c of softmaxCases()) {
    it(`matches the reference within atol ${TOLERANCE.atol} + rtol ${TOLERANCE.rtol}·|ref| (${c.name})`, async () => {
      const ref = await runSoftmax('log_softmax', 'js', c);
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runSoftmax('log_softmax', backend, c));
        assertClose(got, ref, TOLERANCE, `log_softmax, ${c.name} (${threads} thread(s))`);
        const nonFinite = (v: number) => (Number.isFinite(v) ? 0 : v);
        expect(Array.from(got, nonFinite), c.name).toEqual(Array.from(ref, nonFinite));
      }
    });
  }
});
