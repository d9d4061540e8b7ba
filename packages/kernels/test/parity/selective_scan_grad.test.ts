import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { setSelectiveScanScratchBytes } from '../../src/webgpu/index.js';
import { firstMismatch, runScanGrad, SCAN_CASES, scanTolerance } from './selective_scan_cases.js';

const NAMES = ['du', 'ddelta', 'dA', 'dB', 'dC', 'dD'];

/**
 * du, dΔ, dA, dB, dC, dD within 1e-5 relative of the reference on native (plus 1e-6 absolute
 * for sums that cancel): the same f64 arithmetic in the same order, exp's last bit aside. dA
 * and dD sum per-sequence partials in sequence order, so 1 and 2 threads give the same bits.
 * On webgpu within 1e-6 of each output's largest value (`scanTolerance`), the same bits from a
 * second run.
 */
await forEachBackend(parityBackends('selective_scan_grad'), (backend) => {
  for (const c of SCAN_CASES) {
    it(`matches the reference (${c.name})`, async () => {
      const ref = await runScanGrad(c, 'js');
      let first: Float32Array[] | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runScanGrad(c, backend));
        NAMES.forEach((what, k) => expect(firstMismatch(got[k]!, ref[k]!, ...scanTolerance(backend.name, 1e-5, 1e-6, ref[k]!)), `${what} (${threads} thread(s))`).toBeUndefined());
        if (first) got.forEach((g, k) => expect(bitsDiffer(g, first![k]!), `output ${k} at 2 threads vs 1`).toBe(-1));
        first = got;
      }
    });
  }

  if (backend.name === 'webgpu') {
    it('runs the sequences in slices when the scratch limit is small, within the same tolerance', async () => {
      const c = SCAN_CASES[0]!;
      const ref = await runScanGrad(c, 'js');
      const whole = await runScanGrad(c, backend);
      // Two sequences per slice: three slices, whose dA and dD partials are summed in slice order.
      const before = setSelectiveScanScratchBytes(2 * c.T * c.E * c.N * 4);
      try {
        const sliced = await runScanGrad(c, backend);
        NAMES.forEach((what, k) => expect(firstMismatch(sliced[k]!, ref[k]!, ...scanTolerance('webgpu', 1e-5, 1e-6, ref[k]!)), what).toBeUndefined());
        // Per-element outputs do not depend on the slicing.
        for (const k of [0, 1, 3, 4]) expect(bitsDiffer(sliced[k]!, whole[k]!), NAMES[k]).toBe(-1);
      } finally {
        setSelectiveScanScratchBytes(before);
      }
    });
  }
});
