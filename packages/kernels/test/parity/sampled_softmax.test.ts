import { runKernel, tensor } from '@rec/core';
import { assertClose, forEachBackend } from '@rec/core/testing';
import { expect, it } from 'vitest';
import { parityBackends, withNativeThreads } from './backends.js';
import { expectFailure } from './fixtures.js';
import { type Case, CASES, makeInputs, TOLERANCE } from './sampled_softmax_cases.js';

await forEachBackend(parityBackends('sampled_softmax'), (backend) => {
  for (const c of CASES) {
    const name = `B ${c.batch}, d ${c.dim}, C ${c.classes}, S ${c.samples}, bias ${c.bias}, removeAccidentalHits ${c.removeAccidentalHits}`;
    const attrs = { removeAccidentalHits: c.removeAccidentalHits };
    it(`forward equals the reference within 1e-5 (${name})`, async () => {
      const [ref] = runKernel('sampled_softmax', makeInputs(c, 'js', false), attrs);
      for (const threads of [1, 2]) {
        const [got] = withNativeThreads(backend.name, threads, () => runKernel('sampled_softmax', makeInputs(c, backend, false), attrs));
        assertClose(await got.read(), await ref.read(), TOLERANCE, `loss (${threads} thread(s))`);
      }
    });
  }

  it('gives ln(1 + S) for a zero model with uniform Q and no hits', async () => {
    const c: Case = { batch: 2, dim: 3, classes: 10, samples: 4, bias: false, removeAccidentalHits: true };
    const inputs = [
      tensor(new Float32Array(6), [2, 3], { backend }), tensor(new Float32Array(30), [10, 3], { backend }),
      tensor(Int32Array.of(0, 1), undefined, { backend }), tensor(Int32Array.of(5, 6, 7, 8), undefined, { backend }),
      tensor(new Float32Array(2).fill(-Math.log(10)), undefined, { backend }), tensor(new Float32Array(4).fill(-Math.log(10)), undefined, { backend }),
    ];
    const [loss] = runKernel('sampled_softmax', inputs, { removeAccidentalHits: c.removeAccidentalHits });
    expect((await loss.read())[0]).toBeCloseTo(Math.log(5), 6);
  });

  it('rejects a label outside the table', async () => {
    const inputs = [
      tensor(new Float32Array(2), [1, 2], { backend }), tensor(new Float32Array(4), [2, 2], { backend }), tensor(Int32Array.of(2), undefined, { backend }),
      tensor(Int32Array.of(0), undefined, { backend }), tensor(new Float32Array(1), undefined, { backend }), tensor(new Float32Array(1), undefined, { backend }),
    ];
    // webgpu finds the bad label on the GPU and reports it at the read, without its position.
    await expectFailure(() => runKernel('sampled_softmax', inputs, { removeAccidentalHits: true })[0].read(),
      backend.name === 'webgpu' ? /a label or sampled class is out of range for 2 classes/ : /label 2 at position 0 is out of range for 2 classes/);
  });
});
