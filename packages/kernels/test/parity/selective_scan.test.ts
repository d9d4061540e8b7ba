import { runKernel, tensor } from '@rec/core';
import { forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { bitsDiffer } from './fixtures.js';
import { setSelectiveScanScratchBytes } from '../../src/webgpu/index.js';
import { firstMismatch, runScan, SCAN_CASES, scanTolerance } from './selective_scan_cases.js';

/**
 * y within 1e-6 relative of the reference on native: it does the reference's f64 arithmetic,
 * so only exp's last bit (libm against V8) can differ; on webgpu within 1e-6 of the largest
 * |y| (`scanTolerance`). The same bits at 1 and 2 threads, and from a second run.
 */
await forEachBackend(parityBackends('selective_scan'), (backend) => {
  for (const c of SCAN_CASES) {
    it(`matches the reference (${c.name})`, async () => {
      const ref = await runScan(c, 'js');
      let first: Float32Array | undefined;
      for (const threads of [1, 2]) {
        const got = await withNativeThreads(backend.name, threads, () => runScan(c, backend));
        expect(firstMismatch(got, ref, ...scanTolerance(backend.name, 1e-6, 1e-7, ref)), `y (${threads} thread(s))`).toBeUndefined();
        if (first) expect(bitsDiffer(got, first), 'y at 2 threads vs 1').toBe(-1);
        first = got;
      }
    });
  }

  if (backend.name === 'webgpu') {
    it('runs the sequences in slices when the scratch limit is small, with the same result', async () => {
      const c = SCAN_CASES[0]!;
      const whole = await runScan(c, backend);
      // Two sequences' states per slice: three slices for the case's six sequences.
      const before = setSelectiveScanScratchBytes(2 * c.T * c.E * c.N * 4);
      try {
        expect(bitsDiffer(await runScan(c, backend), whole)).toBe(-1);
      } finally {
        setSelectiveScanScratchBytes(before);
      }
    });
  }

  it('names the operand whose shape disagrees', () => {
    const t = (shape: number[]) => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, { backend });
    expect(() => runKernel('selective_scan', [t([2, 3, 4]), t([2, 3, 4]), t([4, 5]), t([2, 3, 5]), t([2, 3, 6]), t([4])], {})).toThrow(
      'selective_scan: C must be [2, 3, 5] for u [2, 3, 4] and A [4, 5], got [2, 3, 6]',
    );
  });
});
