import { runKernel } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { CASES, makeInputs, TOLERANCE } from './sampled_softmax_cases.js';

await forEachBackend(parityBackends('sampled_softmax_grad'), (backend) => {
  for (const c of CASES) {
    const name = `B ${c.batch}, d ${c.dim}, C ${c.classes}, S ${c.samples}, bias ${c.bias}, removeAccidentalHits ${c.removeAccidentalHits}`;
    const attrs = { removeAccidentalHits: c.removeAccidentalHits };
    it(`backward equals the reference within 1e-5 (${name})`, async () => {
      const ref = runKernel('sampled_softmax_grad', makeInputs(c, 'js', true), attrs);
      for (const threads of [1, 2]) {
        const got = withNativeThreads(backend.name, threads, () => runKernel('sampled_softmax_grad', makeInputs(c, backend, true), attrs));
        expect(got.map((t) => t.shape)).toEqual(ref.map((t) => t.shape));
        assertClose(await got[0].read(), await ref[0].read(), TOLERANCE, `dHidden (${threads} thread(s))`);
        assertClose(await got[1].read(), await ref[1].read(), TOLERANCE, `dRows (${threads} thread(s))`);
        assertClose(await got[2].read(), await ref[2].read(), TOLERANCE, `dBias (${threads} thread(s))`);
      }
    });
  }
});
