import { hostF32, runKernel } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { CASES, makeInputs, TOLERANCE } from './sampled_softmax_cases.js';

await forEachBackend(parityBackends(), (backend) => {
  for (const c of CASES) {
    const name = `B ${c.batch}, d ${c.dim}, C ${c.classes}, S ${c.samples}, bias ${c.bias}, removeAccidentalHits ${c.removeAccidentalHits}`;
    const attrs = { removeAccidentalHits: c.removeAccidentalHits };
    it(`backward equals the reference within 1e-5 (${name})`, () => {
      const ref = runKernel('sampled_softmax_grad', makeInputs(c, 'js', true), attrs);
      for (const threads of [1, 2]) {
        const got = withNativeThreads(backend.name, threads, () => runKernel('sampled_softmax_grad', makeInputs(c, backend, true), attrs));
        expect(got.map((t) => t.shape)).toEqual(ref.map((t) => t.shape));
        assertClose(hostF32(got[0]), hostF32(ref[0]), TOLERANCE, `dHidden (${threads} thread(s))`);
        assertClose(hostF32(got[1]), hostF32(ref[1]), TOLERANCE, `dRows (${threads} thread(s))`);
        assertClose(hostF32(got[2]), hostF32(ref[2]), TOLERANCE, `dBias (${threads} thread(s))`);
      }
    });
  }
});
