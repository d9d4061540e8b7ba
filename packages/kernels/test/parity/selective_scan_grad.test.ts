import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { firstMismatch, runScanGrad, SCAN_CASES } from './selective_scan_cases.js';

/**
 * du, dΔ, dA, dB, dC, dD within 1e-5 relative of the reference (plus 1e-6 absolute for sums
 * that cancel): the same f64 arithmetic in the same order, exp's last bit aside. dA and dD
 * sum per-sequence partials in sequence order, so 1 and 2 threads give the same bits.
 */
await forEachBackend(parityBackends('selective_scan_grad'), (backend) => {
  for (const c of SCAN_CASES) {
    it(`matches the reference (${c.name})`, async () => {
      const ref = await runScanGrad(c, 'js');
      let first: Float32Array[] | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runScanGrad(c, backend));
        ['du', 'ddelta', 'dA', 'dB', 'dC', 'dD'].forEach((what, k) => expect(firstMismatch(got[k]!, ref[k]!, 1e-5, 1e-6), `${what} (${threads} thread(s))`).toBeUndefined());
        if (first) got.forEach((g, k) => expect(bitsDiffer(g, first![k]!), `output ${k} at 2 threads vs 1`).toBe(-1));
        first = got;
      }
    });
  }
});
